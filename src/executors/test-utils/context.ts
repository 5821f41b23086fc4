import type { ExecutorContext } from '@nx/devkit';

/** The context Nx gives an executor run as `nx run api:<target>` in a workspace at `root`. */
export function executorContext(root: string, projectRoot: string): ExecutorContext {
  return {
    root,
    cwd: root,
    isVerbose: false,
    projectName: 'api',
    projectsConfigurations: { version: 2, projects: { api: { root: projectRoot } } },
  } as unknown as ExecutorContext;
}
