import * as path from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { RunOptions, runCheckLayers } from './run';
import { checkThroughServer, daemonWanted } from './server/client';
import type { CheckLayersExecutorSchema } from './schema';

/** `nx run <project>:check-layers`: checks the project's architecture and writes the configured reports. */
export default async function checkLayersExecutor(options: CheckLayersExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  const projectName = context.projectName;
  const project = projectName ? context.projectsConfigurations?.projects[projectName] : undefined;
  if (!project) throw new Error('check-layers must run as a target of a project (nx run <project>:check-layers).');
  const fromWorkspace = (file: string | undefined): string | undefined =>
    file === undefined ? undefined : path.resolve(context.root, file.replaceAll('{workspaceRoot}', context.root).replaceAll('{projectRoot}', project.root));
  const projectRoot = path.resolve(context.root, project.root);
  const run: RunOptions = {
    projectRoot,
    format: options.format ?? 'pretty',
    outputFile: fromWorkspace(options.outputFile),
    graph: fromWorkspace(options.graph),
    baseline: fromWorkspace(options.baseline),
    updateBaseline: options.updateBaseline ?? false,
    cacheDirectory: options.cache === false ? null : (fromWorkspace(options.cacheDirectory) ?? path.join(projectRoot, '.layered', 'cache')),
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    pathPrefix: project.root === '.' || project.root === '' ? '' : `${project.root.replace(/\/$/, '')}/`,
  };
  const outcome = (daemonWanted(options.daemon ?? false) ? await checkThroughServer(run) : null) ?? runCheckLayers(run);
  process.stdout.write(outcome.stdout);
  process.stderr.write(outcome.stderr);
  return { success: outcome.exitCode === 0 };
}
