import { formatFiles, readNxJson, Tree, updateNxJson } from '@nx/devkit';
import { CHECK_LAYERS_EXECUTOR } from '../../plugin/create-nodes';
import type { InitGeneratorSchema } from './schema';

export const PLUGIN_NAME = 'layered';

const GITIGNORE_HEADER = '# Python (layered)';
// .env holds machine-specific values such as LAYERED_PYTHON (the README suggests it).
const GITIGNORE_ENTRIES = ['__pycache__/', '*.py[cod]', '.venv/', '.mypy_cache/', '.pytest_cache/', '.ruff_cache/', '*.db', '.layered/', '.env', '.env.local'];

/** Registers the plugin in nx.json and Python ignores in .gitignore. Safe to run any number of times. */
export async function initGenerator(tree: Tree, options: InitGeneratorSchema = {}): Promise<void> {
  registerPlugin(tree, options.checkLayersTargetName ?? 'check-layers');
  addCheckLayersTargetDefaults(tree);
  addPythonGitignoreEntries(tree);
  if (!options.skipFormat) await formatFiles(tree);
}

function registerPlugin(tree: Tree, checkLayersTargetName: string): void {
  const nxJson = readNxJson(tree) ?? {};
  const plugins = nxJson.plugins ?? [];
  const registered = plugins.some((entry) => (typeof entry === 'string' ? entry : entry.plugin) === PLUGIN_NAME);
  if (registered) return;
  nxJson.plugins = [...plugins, { plugin: PLUGIN_NAME, options: { checkLayersTargetName } }];
  updateNxJson(tree, nxJson);
}

// Explicit `layered:check-layers` targets in project.json are cached and restore their reports.
// No inputs here: they would replace the inferred ones, which follow the configured baseline.
function addCheckLayersTargetDefaults(tree: Tree): void {
  const nxJson = readNxJson(tree) ?? {};
  const targetDefaults = nxJson.targetDefaults ?? {};
  if (targetDefaults[CHECK_LAYERS_EXECUTOR]) return;
  targetDefaults[CHECK_LAYERS_EXECUTOR] = {
    cache: true,
    outputs: ['{options.outputFile}', '{options.graph}'],
  };
  nxJson.targetDefaults = targetDefaults;
  updateNxJson(tree, nxJson);
}

function addPythonGitignoreEntries(tree: Tree): void {
  const current = tree.read('.gitignore', 'utf-8') ?? '';
  const present = new Set(current.split(/\r?\n/).map((line) => line.trim()));
  const missing = GITIGNORE_ENTRIES.filter((entry) => !present.has(entry));
  if (missing.length === 0) return;
  const header = present.has(GITIGNORE_HEADER) ? [] : [GITIGNORE_HEADER];
  const separator = current === '' || current.endsWith('\n') ? '' : '\n';
  const lead = current === '' ? '' : '\n';
  tree.write('.gitignore', `${current}${separator}${lead}${[...header, ...missing].join('\n')}\n`);
}

export default initGenerator;
