import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { UV_BIN_DIR, UV_ENV, UV_VERSION } from './paths';
import { run, RunOptions, RunResult } from './process';

export interface PythonRuntime {
  /** A `python` executable, e.g. a generated app's .venv/bin/python. */
  python: string;
  run(args: string[], options?: RunOptions): Promise<RunResult>;
}

/**
 * What a user's shell has: uv on PATH and LAYERED_PYTHON unset. Nx targets run with it go
 * through `uv run`, exactly as the generated project.json says.
 */
export const USER_ENV: NodeJS.ProcessEnv = { ...UV_ENV, LAYERED_PYTHON: undefined };

/** PATH without any folder that holds a `uv`: a machine where uv is not installed. */
export function pathWithoutUv(): string {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((folder) => folder !== '' && !existsSync(path.join(folder, 'uv')))
    .join(path.delimiter);
}

/** The python of a generated app's environment, which the application generator's `uv sync` made. */
export function appPython(appRoot: string): PythonRuntime {
  const python = path.join(appRoot, '.venv', 'bin', 'python');
  return { python, run: (args, options) => run(python, args, options) };
}

/**
 * Checks that uv (installed from PyPI by scripts/setup.sh) runs and that PyPI answers.
 * Never skips: without either, the suite fails here and says what to do.
 */
export async function resolvePythonRuntime(): Promise<{ python: string; kind: 'uv' }> {
  const uv = path.join(UV_BIN_DIR, 'uv');
  if (!existsSync(uv)) {
    throw new Error(`uv ${UV_VERSION} is not installed at ${uv}. Run \`bash scripts/setup.sh\` (npm test runs it), which installs it from PyPI.`);
  }
  const version = await run(uv, ['--version'], { env: { ...process.env, ...UV_ENV } });
  if (version.code !== 0) throw new Error(`${uv} --version failed:\n${version.output}`);
  try {
    const answer = await fetch('https://pypi.org/simple/fastapi/', {
      headers: { Accept: 'application/vnd.pypi.simple.v1+json' },
      signal: AbortSignal.timeout(30_000),
    });
    if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new Error(`PyPI (https://pypi.org) is not reachable (${cause}): the e2e suite installs the generated apps' dependencies from it with uv.`);
  }
  return { python: uv, kind: 'uv' };
}
