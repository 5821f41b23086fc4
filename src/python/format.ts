import { Tree, joinPathFragments, visitNotIgnoredFiles } from '@nx/devkit';
import { PositionEncoding, Workspace } from '@astral-sh/ruff-wasm-nodejs';
import { parse as parseToml } from 'smol-toml';

/** Ruff settings a generated project starts with; kept in step with its pyproject.toml. */
export const DEFAULT_RUFF_SETTINGS = {
  'line-length': 88,
  'target-version': 'py311',
} as const;

// Keys of [tool.ruff] that describe the file system or caching; the in-process formatter rejects them.
const FILESYSTEM_KEYS = new Set(['src', 'extend', 'cache-dir', 'exclude', 'extend-exclude', 'include', 'extend-include', 'force-exclude', 'respect-gitignore', 'namespace-packages', 'output-format', 'fix', 'show-fixes', 'unsafe-fixes', 'required-version', 'preview']);

export type RuffSettings = Record<string, unknown>;

/** The `[tool.ruff]` table of a project's pyproject.toml, reduced to what ruff's wasm build accepts. */
export function readRuffSettings(tree: Tree, projectRoot: string): RuffSettings {
  const pyprojectPath = joinPathFragments(projectRoot, 'pyproject.toml');
  const text = tree.read(pyprojectPath, 'utf-8');
  if (text === null) return { ...DEFAULT_RUFF_SETTINGS };
  let tool: unknown;
  try {
    tool = (parseToml(text) as { tool?: { ruff?: unknown } }).tool?.ruff;
  } catch (error) {
    throw new Error(`${pyprojectPath} is not valid TOML (${(error as Error).message.split('\n')[0]}). Fix it, then run the generator again.`);
  }
  if (tool === undefined || typeof tool !== 'object' || tool === null) return { ...DEFAULT_RUFF_SETTINGS };
  return Object.fromEntries(Object.entries(tool).filter(([key]) => !FILESYSTEM_KEYS.has(key)));
}

const workspaces = new Map<string, Workspace>();

function workspaceFor(settings: RuffSettings): Workspace {
  const key = JSON.stringify(settings);
  let workspace = workspaces.get(key);
  if (!workspace) {
    workspace = new Workspace(settings, PositionEncoding.Utf16);
    workspaces.set(key, workspace);
  }
  return workspace;
}

/** Formats Python source exactly as `ruff format` would with these settings. Throws on a syntax error. */
export function formatPython(source: string, settings: RuffSettings = DEFAULT_RUFF_SETTINGS, fileName = '<source>'): string {
  try {
    return workspaceFor(settings).format(source);
  } catch (error) {
    throw new Error(`ruff could not format ${fileName}: ${String(error)}`);
  }
}

/** Lints Python source with ruff's in-process linter; returns `row:col CODE message` lines. */
export function lintPython(source: string, settings: RuffSettings): string[] {
  const diagnostics = workspaceFor(settings).check(source) as Array<{
    code: string | null;
    message: string;
    start_location: { row: number; column: number };
  }>;
  return diagnostics.map((d) => `${d.start_location.row}:${d.start_location.column} ${d.code ?? 'syntax'} ${d.message}`);
}

/** Formats every `.py` file under `root` that the generator created or changed in this run. */
export function formatChangedPythonFiles(tree: Tree, root: string, settings: RuffSettings): void {
  const changed = new Set(tree.listChanges().filter((c) => c.type !== 'DELETE').map((c) => c.path));
  visitNotIgnoredFiles(tree, root, (path) => {
    if (!path.endsWith('.py') || !changed.has(path)) return;
    const source = tree.read(path, 'utf-8') ?? '';
    const formatted = formatPython(source, settings, path);
    if (formatted !== source) tree.write(path, formatted);
  });
}
