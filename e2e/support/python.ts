import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { run, runOrThrow, RunOptions, RunResult } from './process';

export interface PythonRuntime {
  /** Executable to use as a `python`, e.g. as LAYERED_PYTHON for the generated Nx targets. */
  python: string;
  /** How it was found: LAYERED_E2E_PYTHON, a uv virtualenv, or the cached Debian root. */
  kind: 'env' | 'uv' | 'debian-root';
  run(args: string[], options?: RunOptions): Promise<RunResult>;
}

const PIP_REQUIREMENTS = [
  'fastapi>=0.115', 'uvicorn>=0.32', 'sqlalchemy[asyncio]>=2.0.36', 'aiosqlite>=0.20', 'asyncpg>=0.30',
  'alembic>=1.13', 'pydantic>=2.9', 'structlog>=24.4', 'httpx>=0.28', 'pytest>=8.3', 'pytest-asyncio>=0.25', 'mypy>=1.15',
];

const NO_RUNTIME = [
  'No Python runtime for the e2e suite. Provide one of:',
  '  - LAYERED_E2E_PYTHON=/path/to/python3.11+ that has fastapi, sqlalchemy, aiosqlite, asyncpg, alembic, pydantic, structlog, httpx, pytest, pytest-asyncio, uvicorn and mypy;',
  '  - uv on PATH (with access to PyPI);',
  '  - root on Debian with debootstrap (apt-get install debootstrap): a trixie root is built once and cached.',
].join('\n');

function runtime(python: string, kind: PythonRuntime['kind']): PythonRuntime {
  return { python, kind, run: (args, options) => run(python, args, options) };
}

async function onPath(command: string): Promise<boolean> {
  return (await run('sh', ['-c', `command -v ${command}`])).code === 0;
}

async function uvRuntime(cacheDir: string): Promise<PythonRuntime> {
  const key = createHash('sha256').update(PIP_REQUIREMENTS.join('\n')).digest('hex').slice(0, 16);
  const venv = path.join(cacheDir, `uv-venv-${key}`);
  const python = path.join(venv, 'bin', 'python');
  if (!existsSync(python)) {
    await runOrThrow('uv', ['venv', '--python', '>=3.11', venv]);
    await runOrThrow('uv', ['pip', 'install', '--python', python, ...PIP_REQUIREMENTS]);
  }
  return runtime(python, 'uv');
}

async function debianRootRuntime(): Promise<PythonRuntime> {
  const script = path.join(__dirname, 'python-root.sh');
  const result = await run('bash', [script]);
  if (result.code !== 0) throw new Error(`${NO_RUNTIME}\n\nBuilding the Debian root failed:\n${result.stderr.trim()}`);
  return runtime(result.stdout.trim(), 'debian-root');
}

/** Finds or builds the Python the e2e suite runs generated code with. Never skips. */
export async function resolvePythonRuntime(): Promise<PythonRuntime> {
  const explicit = process.env.LAYERED_E2E_PYTHON;
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`LAYERED_E2E_PYTHON=${explicit} does not exist.\n${NO_RUNTIME}`);
    return runtime(explicit, 'env');
  }
  const cacheDir = process.env.LAYERED_E2E_CACHE ?? '/var/cache/layered-e2e';
  if (await onPath('uv')) return uvRuntime(cacheDir);
  const isDebian = existsSync('/etc/debian_version');
  if (isDebian && process.getuid?.() === 0 && (await onPath('debootstrap'))) return debianRootRuntime();
  const why = !isDebian ? 'this is not Debian' : process.getuid?.() !== 0 ? 'not running as root' : 'debootstrap is not installed';
  throw new Error(`${NO_RUNTIME}\n(Debian root not possible here: ${why}.)`);
}

/** The runtime chosen by global setup, for use inside test files. */
export function pythonFrom(python: string, kind: PythonRuntime['kind']): PythonRuntime {
  return runtime(python, kind);
}

/** Packages of the Debian root, for the README and error messages. */
export function debianPackages(): string[] {
  return readFileSync(path.join(__dirname, 'python-root.packages'), 'utf-8').split('\n').filter(Boolean);
}
