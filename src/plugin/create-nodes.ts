/** Nx inference: every project whose pyproject.toml has a [tool.layered] table gets a cached check-layers target. */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CreateNodes, createNodesFromFiles, CreateNodesResult, TargetConfiguration } from '@nx/devkit';
import { DEFAULT_BASELINE, readLayeredTable } from '../checker/config';

export interface LayeredPluginOptions {
  checkLayersTargetName?: string;
}

export const CHECK_LAYERS_EXECUTOR = 'layered:check-layers';

export const createNodes: CreateNodes<LayeredPluginOptions> = [
  '**/pyproject.toml',
  async (configFiles, options, context) => createNodesFromFiles((file, pluginOptions) => checkLayersNode(file, pluginOptions, context.workspaceRoot), configFiles, options ?? {}, context),
];

function checkLayersNode(pyprojectFile: string, options: LayeredPluginOptions | undefined, workspaceRoot: string): CreateNodesResult {
  const projectRoot = path.dirname(pyprojectFile).split(path.sep).join('/');
  let table: Record<string, unknown> | null;
  let projectName: unknown;
  try {
    const text = readFileSync(path.join(workspaceRoot, pyprojectFile), 'utf-8');
    table = readLayeredTable(text, pyprojectFile);
    projectName = /^\s*name\s*=\s*"([^"]+)"/m.exec(text.split(/^\[/m).find((section) => section.startsWith('project]')) ?? '')?.[1];
  } catch {
    // A broken pyproject.toml gets its target anyway: the check then reports the problem by key.
    table = {};
  }
  if (table === null) return {};
  const targetName = options?.checkLayersTargetName ?? 'check-layers';
  const root = projectRoot === '.' ? '' : `${projectRoot}/`;
  const baseline = typeof table.baseline === 'string' ? table.baseline : DEFAULT_BASELINE;
  const target: TargetConfiguration = {
    executor: CHECK_LAYERS_EXECUTOR,
    cache: true,
    inputs: ['{projectRoot}/**/*.py', '{projectRoot}/pyproject.toml', `{projectRoot}/${baseline}`, { externalDependencies: ['layered'] }],
    outputs: ['{options.outputFile}', '{options.graph}'],
    options: { outputFile: `${root}.layered/check-layers.sarif`, graph: `${root}.layered/layers.mmd` },
    metadata: {
      technologies: ['python'],
      description: 'Check the layered architecture (LAY001-LAY017) of this Python project',
      help: { command: 'node node_modules/layered/src/executors/check-layers/cli.js --help', example: { options: { format: 'sarif' } } },
    },
  };
  const hasProjectJson = existsSync(path.join(workspaceRoot, projectRoot, 'project.json'));
  const name = typeof projectName === 'string' && projectName ? projectName : path.basename(path.resolve(workspaceRoot, projectRoot));
  return {
    projects: {
      [projectRoot]: {
        ...(hasProjectJson ? {} : { name }),
        targets: { [targetName]: target },
      },
    },
  };
}
