import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';

/** How a target's `python -m <module>` is started. */
export interface PythonCommand {
  command: string;
  /** Arguments up to and including the module name. */
  args: string[];
  via: 'LAYERED_PYTHON' | 'uv';
}

/** No interpreter could be found; the message is one line that names the fixes. */
export class NoPythonError extends Error {}

export interface ResolveOptions {
  module: string;
  projectName: string;
  projectRoot: string;
  workspaceRoot: string;
  env: NodeJS.ProcessEnv;
}

export function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

export function findOnPath(name: string, env: NodeJS.ProcessEnv): string | null {
  for (const folder of (env.PATH ?? '').split(path.delimiter)) {
    if (folder === '') continue;
    const candidate = path.join(folder, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/**
 * LAYERED_PYTHON wins (pip and venv users; a relative path is read from the workspace root,
 * as in the workspace's .env); otherwise uv runs the project's own environment.
 */
export function resolvePythonCommand(options: ResolveOptions): PythonCommand {
  const configured = options.env.LAYERED_PYTHON?.trim();
  if (configured) {
    const isPath = configured.includes('/') || configured.includes(path.sep);
    const python = isPath ? path.resolve(options.workspaceRoot, configured) : findOnPath(configured, options.env);
    if (python === null || !isExecutableFile(python)) {
      const where = isPath ? ` (${python})` : ' on PATH';
      throw new NoPythonError(
        `LAYERED_PYTHON=${configured} is not an executable file${where}: point it at the python of an environment that has ${options.projectName}'s dependencies (e.g. ${options.projectRoot}/.venv/bin/python), or unset it to run through uv.`,
      );
    }
    return { command: python, args: ['-m', options.module], via: 'LAYERED_PYTHON' };
  }
  const uv = findOnPath('uv', options.env);
  if (uv !== null) {
    return { command: uv, args: ['run', '--project', path.resolve(options.workspaceRoot, options.projectRoot), 'python', '-m', options.module], via: 'uv' };
  }
  throw new NoPythonError(
    `No Python to run ${options.module} for ${options.projectName}: install uv (\`pip install uv\`, see https://docs.astral.sh/uv/) so targets run through \`uv run\`, or set LAYERED_PYTHON to a python that has the app's dependencies (e.g. LAYERED_PYTHON=${options.projectRoot}/.venv/bin/python in the workspace's .env).`,
  );
}
