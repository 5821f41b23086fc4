import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/paths';
import {
  countRuffFormattedFiles,
  debianRootUv,
  declaredFloors,
  failures,
  generateMatrixApp,
  hostUv,
  lockedVersions,
  REPORTED_PACKAGES,
  Runner,
  runAppChecks,
  sameRelease,
  seconds,
} from './support/python-matrix';
import type { Workspace } from './support/workspace';

const HOST_PYTHON = '/usr/bin/python3';
const ROOT_PYTHON = '/usr/bin/python3.13';
const WASM_RUFF = JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules/@astral-sh/ruff-wasm-nodejs/package.json'), 'utf-8')).version as string;
const minor = (version: string) => version.split('.').slice(0, 2).join('.');

interface Cell {
  id: string;
  title: string;
  uv: Runner;
  python: string;
  pythonVersion: RegExp;
  syncArgs: string[];
}

function log(message: string): void {
  process.stdout.write(`[matrix] ${message}\n`);
}

describe('the generated app holds on the Python and dependency ranges it declares', () => {
  const workspaces: Workspace[] = [];
  afterAll(() => workspaces.forEach((ws) => ws.remove()));

  /** Generates its own app, syncs it with uv, runs every check; returns the app and what uv locked. */
  async function runCell(cell: Cell): Promise<{ app: string; locked: Map<string, string> }> {
    const started = Date.now();
    const { ws, app } = await generateMatrixApp(`matrix-${cell.id}`);
    workspaces.push(ws);
    // No lock yet, so the sync resolves afresh from PyPI.
    expect(existsSync(path.join(app, 'uv.lock'))).toBe(false);

    const syncArgs = ['sync', '--python', cell.python, ...cell.syncArgs];
    log(`(${cell.id}) uv ${syncArgs.join(' ')} ...`);
    const sync = await cell.uv(syncArgs, app);
    if (sync.code !== 0) {
      throw new Error(`(${cell.id}) uv ${syncArgs.join(' ')} failed: is PyPI reachable, and is uv installed (scripts/setup.sh)?\n${sync.output.slice(-6000)}`);
    }
    const version = await cell.uv(['run', '--no-sync', 'python', '-c', 'import platform; print(platform.python_version())'], app);
    expect(version.stdout.trim(), version.output).toMatch(cell.pythonVersion);

    const locked = lockedVersions(app);
    const outcomes = await runAppChecks(cell.uv, ws, app);
    const took = Date.now() - started;
    log(`(${cell.id}) ${cell.title}: ${seconds(took)} (uv sync ${seconds(sync.durationMs)}, checks ${seconds(outcomes.reduce((sum, o) => sum + o.result.durationMs, 0))}), Python ${version.stdout.trim()}`);
    log(`(${cell.id}) resolved: ${REPORTED_PACKAGES.map((name) => `${name} ${locked.get(name) ?? 'missing'}`).join(', ')}`);

    expect(failures(outcomes)).toEqual([]);
    const output = (name: string) => outcomes.find((o) => o.name === name)?.result.output ?? '';
    // Every generated .py and .md file was looked at, and none would change.
    expect(output('ruff format --check')).toContain(`${countRuffFormattedFiles(app)} files already formatted`);
    expect(output('mypy')).toContain('Success: no issues found');
    // Only passes: no skip, xfail or warning in pytest's closing line.
    expect(/=+ (.+?) =+\s*$/.exec(output('pytest'))?.[1]).toMatch(/^\d{2,} passed in [\d.]+s$/);
    expect(output('check-layers')).toContain('no findings');
    return { app, locked };
  }

  it(
    '(a) Python 3.11 with the newest PyPI versions: tests, mypy --strict, ruff check and check-layers pass, and real ruff format leaves every generated file byte-identical',
    async () => {
      const { locked } = await runCell({ id: 'a', title: '3.11 newest', uv: hostUv(), python: HOST_PYTHON, pythonVersion: /^3\.11\.\d+$/, syncArgs: [] });

      // The ruff the app asks for is the minor the generator formats with.
      expect(minor(locked.get('ruff') ?? '')).toBe(minor(WASM_RUFF));
    },
    10 * 60_000,
  );

  it(
    '(b) Python 3.11 with uv sync --resolution lowest-direct: every declared floor installs and passes the same checks, ruff format included',
    async () => {
      const { app, locked } = await runCell({ id: 'b', title: '3.11 lowest-direct', uv: hostUv(), python: HOST_PYTHON, pythonVersion: /^3\.11\.\d+$/, syncArgs: ['--resolution', 'lowest-direct'] });

      // The floors are what ran: each direct dependency resolved to exactly its floor.
      const floors = declaredFloors(app);
      expect(floors.filter((d) => d.floor === null).map((d) => d.requirement)).toEqual([]);
      const offFloor = floors.filter((d) => !sameRelease(locked.get(d.name) ?? '0', d.floor ?? '0')).map((d) => `${d.requirement} resolved to ${locked.get(d.name)}`);
      expect(offFloor).toEqual([]);
    },
    10 * 60_000,
  );

  it(
    '(c) Python 3.13 in a Debian trixie root with the newest PyPI versions: the same checks pass, real ruff format included',
    async () => {
      log('(c) Debian trixie root with Python 3.13: reusing it, or building it with debootstrap (about 35 s) ...');
      const root = await debianRootUv();
      log(`(c) Debian trixie root with Python 3.13: ${root.built ? 'built' : 'cached'}, ${seconds(root.durationMs)}`);

      await runCell({ id: 'c', title: '3.13 newest (Debian trixie root)', uv: root.uv, python: ROOT_PYTHON, pythonVersion: /^3\.13\.\d+$/, syncArgs: [] });
    },
    20 * 60_000,
  );
});
