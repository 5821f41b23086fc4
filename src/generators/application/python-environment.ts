import { spawnSync } from 'node:child_process';
import { logger } from '@nx/devkit';
import { findOnPath } from '../../executors/python/resolve-python';

export interface EnvironmentOptions {
  projectName: string;
  /** Relative to the workspace root, as the user types it. */
  projectRoot: string;
  skipInstall: boolean;
}

export type EnvironmentPlan = { kind: 'uv-sync'; uv: string } | { kind: 'tell'; lines: string[] };

/** uv users get `uv sync` run for them; everyone else is told the one thing left to do. */
export function planPythonEnvironment(options: EnvironmentOptions, env: NodeJS.ProcessEnv): EnvironmentPlan {
  const sync = `cd ${options.projectRoot} && uv sync`;
  const configured = env.LAYERED_PYTHON?.trim();
  if (configured) {
    return {
      kind: 'tell',
      lines: [`LAYERED_PYTHON is set (${configured}): the targets of ${options.projectName} run with it. Install the dependencies of ${options.projectRoot}/pyproject.toml (with its dev group) into it.`],
    };
  }
  const uv = findOnPath('uv', env);
  if (options.skipInstall || uv === null) {
    const why = options.skipInstall ? '--skipInstall was given' : 'uv is not on PATH';
    return {
      kind: 'tell',
      lines: [
        `${why}: set up the Python environment of ${options.projectName} with \`${sync}\` (install uv with \`pip install uv\`),`,
        `or create a virtual environment with the dependencies of ${options.projectRoot}/pyproject.toml and set LAYERED_PYTHON=${options.projectRoot}/.venv/bin/python in the workspace's .env.`,
      ],
    };
  }
  return { kind: 'uv-sync', uv };
}

/** Runs after the files are written. A failed sync does not undo the generation: it says how to retry. */
export function setUpPythonEnvironment(absoluteProjectRoot: string, options: EnvironmentOptions, env: NodeJS.ProcessEnv): void {
  const plan = planPythonEnvironment(options, env);
  if (plan.kind === 'tell') {
    plan.lines.forEach((line) => logger.info(line));
    return;
  }
  logger.info(`layered: uv sync in ${options.projectRoot} (creates .venv; the first run downloads the dependencies from PyPI)`);
  const started = Date.now();
  const result = spawnSync(plan.uv, ['sync'], { cwd: absoluteProjectRoot, env, stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status === 0) {
    logger.info(`layered: ${options.projectRoot}/.venv is ready (${seconds} s). Next: nx run ${options.projectName}:test, nx run ${options.projectName}:serve`);
  } else {
    const why = result.error ? result.error.message : `exit code ${result.status ?? result.signal}`;
    logger.warn(`layered: uv sync failed (${why}); the project is generated. Fix the cause above, then run \`cd ${options.projectRoot} && uv sync\`.`);
  }
}
