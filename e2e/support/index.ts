export { createWorkspace, NX_ENV, type Workspace } from './workspace';
export { pythonFrom, type PythonRuntime } from './python';
export { startPostgres, type Postgres } from './postgres';
export { ruffCheck, countPythonFiles } from './ruff';
export { startUvicorn, uvicornStartupFailure, type RunningServer } from './server';
export { run, runOrThrow, type RunResult } from './process';

import { inject } from 'vitest';
import { pythonFrom, PythonRuntime } from './python';

/** The Python runtime global setup resolved (LAYERED_E2E_PYTHON, uv, or the Debian root). */
export function pythonRuntime(): PythonRuntime {
  return pythonFrom(inject('python'), inject('pythonKind'));
}
