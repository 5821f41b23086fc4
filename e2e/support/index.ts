export { createWorkspace, NX_ENV, type Workspace } from './workspace';
export { appPython, pathWithoutUv, USER_ENV, type PythonRuntime } from './python';
export { startPostgres, type Postgres } from './postgres';
export { ruffCheck, countPythonFiles } from './ruff';
export { groupAlive, startServe, serveFailure, type RunningServer } from './server';
export { run, runOrThrow, type RunResult } from './process';
