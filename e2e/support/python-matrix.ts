import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'smol-toml';
import { E2E_TMP, REPO_ROOT, UV_BIN_DIR, UV_ENV, UV_VERSION } from './paths';
import { run, RunResult } from './process';
import { createWorkspace, Workspace } from './workspace';

/** The feature every matrix cell generates: required, defaulted, optional and date fields. */
export const MATRIX_FEATURE_FIELDS = 'title:str,servings:int=1,notes:str?,published_on:date?';
/** The packages whose resolved versions each cell reports. */
export const REPORTED_PACKAGES = ['fastapi', 'starlette', 'sqlalchemy', 'pydantic', 'alembic', 'pytest', 'pytest-asyncio', 'mypy', 'ruff'];

// uv's settings; the matrix runs the app's tests on SQLite even where a PostgreSQL URL is set.
const MATRIX_ENV = { ...UV_ENV, API_TEST_DATABASE_URL: undefined };

/** Runs a command of the generated app's toolchain (uv, and what `uv run` starts) in a folder. */
export type Runner = (args: string[], cwd: string) => Promise<RunResult>;

function requireUv(): void {
  if (!existsSync(path.join(UV_BIN_DIR, 'uv'))) {
    throw new Error(`uv ${UV_VERSION} is not installed in ${UV_BIN_DIR}: run scripts/setup.sh (it installs uv from PyPI).`);
  }
}

/** uv on this machine, with the e2e cache and no Python downloads. */
export function hostUv(): Runner {
  requireUv();
  return (args, cwd) => run('uv', args, { cwd, env: { ...process.env, ...MATRIX_ENV } });
}

/**
 * uv inside the Debian trixie root of python-root.sh (Python 3.13), which is built on first
 * use. The root sees the e2e folders, uv's tool environment and uv's cache at their own paths.
 */
export async function debianRootUv(): Promise<{ uv: Runner; built: boolean; durationMs: number }> {
  requireUv();
  const script = path.join(REPO_ROOT, 'e2e/support/python-root.sh');
  const built = await run('bash', [script], { timeoutMs: 15 * 60_000 });
  if (built.code !== 0) throw new Error(`Building the Debian root failed (${script}):\n${built.stderr.trim()}`);
  const wrapper = built.stdout.trim();
  const binds = [E2E_TMP, path.dirname(UV_BIN_DIR), UV_ENV.UV_CACHE_DIR];
  // Hard links from the cache cannot cross bind mounts; copying says nothing about it.
  const env = { ...process.env, ...MATRIX_ENV, UV_LINK_MODE: 'copy', LAYERED_PYROOT_BINDS: binds.join(':') };
  const uv: Runner = (args, cwd) => run(wrapper, ['uv', ...args], { cwd, env });
  return { uv, built: built.stderr.includes('python-root: building'), durationMs: built.durationMs };
}

/** A fresh workspace holding `api` and a `recipe` feature, with no Python environment yet. */
export async function generateMatrixApp(name: string): Promise<{ ws: Workspace; app: string }> {
  const ws = await createWorkspace(name);
  const steps = [
    ['g', 'layered:application', 'api', '--skipInstall', '--no-interactive'],
    ['g', 'layered:feature', 'recipe', '--project=api', `--fields=${MATRIX_FEATURE_FIELDS}`, '--no-interactive'],
  ];
  for (const args of steps) {
    const result = await ws.nx(args);
    if (result.code !== 0) throw new Error(`nx ${args.join(' ')} failed:\n${result.output}`);
  }
  return { ws, app: path.join(ws.root, 'apps/api') };
}

/** name -> version of every package in a uv.lock. */
export function lockedVersions(appDir: string): Map<string, string> {
  const lock = parse(readFileSync(path.join(appDir, 'uv.lock'), 'utf-8')) as { package?: Array<{ name: string; version?: string }> };
  return new Map((lock.package ?? []).map((pkg) => [pkg.name, pkg.version ?? '?']));
}

export interface DeclaredFloor {
  name: string;
  floor: string | null;
  requirement: string;
}

/** Runtime and dev dependencies of the app's pyproject.toml, each with its `>=` floor (null: none). */
export function declaredFloors(appDir: string): DeclaredFloor[] {
  const pyproject = parse(readFileSync(path.join(appDir, 'pyproject.toml'), 'utf-8')) as {
    project: { dependencies: string[] };
    'dependency-groups': { dev: string[] };
  };
  return [...pyproject.project.dependencies, ...pyproject['dependency-groups'].dev].map((requirement) => {
    const match = /^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?\s*(.*)$/.exec(requirement.trim());
    const name = (match?.[1] ?? requirement).toLowerCase().replace(/[_.]+/g, '-');
    const floor = /(?:^|,)\s*>=\s*([0-9][0-9.]*)/.exec(match?.[2] ?? '')?.[1] ?? null;
    return { name, floor, requirement };
  });
}

/** True when two release versions are equal once padded with zeros ("0.115" equals "0.115.0"). */
export function sameRelease(a: string, b: string): boolean {
  const parts = (v: string) => v.split('.').map(Number);
  const [x, y] = [parts(a), parts(b)];
  const length = Math.max(x.length, y.length);
  return Array.from({ length }, (_, i) => (x[i] ?? 0) === (y[i] ?? 0)).every(Boolean);
}

// ruff 0.17 formats Python and the Python code blocks of Markdown files.
const RUFF_FORMATS = /\.(py|pyi|md)$/;

/** The files of a generated app that `ruff format` looks at (caches and the virtualenv left out). */
export function countRuffFormattedFiles(dir: string): number {
  return readdirSync(dir).reduce((count, entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return entry.startsWith('.') || entry === '__pycache__' ? count : count + countRuffFormattedFiles(full);
    return RUFF_FORMATS.test(entry) ? count + 1 : count;
  }, 0);
}

export interface CheckOutcome {
  name: string;
  result: RunResult;
}

/**
 * Runs the app's own checks with the synced environment: real ruff format (first, on the files
 * exactly as generated), ruff check, mypy and pytest; then check-layers through the workspace's nx.
 */
export async function runAppChecks(uv: Runner, ws: Workspace, appDir: string): Promise<CheckOutcome[]> {
  const inApp = (args: string[]) => uv(['run', '--no-sync', ...args], appDir);
  return [
    { name: 'ruff format --check', result: await inApp(['ruff', 'format', '--check', '--diff', '.']) },
    { name: 'ruff check', result: await inApp(['ruff', 'check', '--no-cache', '.']) },
    { name: 'mypy', result: await inApp(['mypy']) },
    { name: 'pytest', result: await inApp(['python', '-m', 'pytest']) },
    { name: 'check-layers', result: await ws.nx(['run', 'api:check-layers', '--skip-nx-cache']) },
  ];
}

/** One line per failed check, with the end of its output; empty when every check passed. */
export function failures(outcomes: CheckOutcome[]): string[] {
  return outcomes.filter((o) => o.result.code !== 0).map((o) => `${o.name} exited ${o.result.code}:\n${o.result.output.slice(-4000)}`);
}

export function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
