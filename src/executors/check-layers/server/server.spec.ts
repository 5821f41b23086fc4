import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCheckLayers, RunOptions } from '../run';
import { checkThroughServer, daemonWanted, stopServer } from './client';
import { buildId, socketPathFor } from './protocol';
import { loadConfig } from '../../../checker/config';
import { RULE_IDS } from '../../../checker/rules/registry';
import { CheckServer, startServer } from './server';
import { WatchedFiles } from './watched-files';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function temporary(prefix: string): string {
  const folder = mkdtempSync(path.join(tmpdir(), prefix));
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

async function serve(root: string, cacheDirectory: string): Promise<CheckServer> {
  const socketPath = socketPathFor(root, cacheDirectory) as string;
  const server = startServer(root, cacheDirectory, socketPath, buildId());
  cleanups.push(() => server.stop());
  expect(await server.ready).toBe(true);
  return server;
}

async function corpus(files: number): Promise<{ root: string; written: string[] }> {
  // @ts-expect-error: plain JavaScript module of the benchmark
  const { generateCorpus } = (await import('../../../../bench/generate-corpus.mjs')) as { generateCorpus: (root: string, files: number) => string[] };
  const root = temporary('layered-server-');
  return { root, written: generateCorpus(root, files) };
}

describe('check server', () => {
  it('answers exactly what a fresh run prints, through content and structure changes', async () => {
    const { root, written } = await corpus(300);
    const cacheDirectory = temporary('layered-server-cache-');
    const server = await serve(root, cacheDirectory);
    const options: RunOptions = { projectRoot: root, cacheDirectory, format: 'json', color: false, pathPrefix: 'apps/shop/' };
    const file = (relative: string): string => path.join(root, relative);
    const services = path.dirname(written.find((relative) => relative.includes('/services/g0/')) as string);

    let seed = 11;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const moduleOf = (relative: string): string => relative.replace(/^src\//, '').replace(/\.py$/, '').replaceAll('/', '.');
    const contentEdits: ((text: string) => string)[] = [
      (text) => `${text}\n# comment ${random(1000)}\n`,
      (text) => `${text}from sqlalchemy import text\n`,
      (text) => `${text}from ${moduleOf(written[random(written.length)])} import *\n`,
      (text) => `${text}print("x")  # layered: ignore[LAY014] debugging, see #2\n`,
      (text) => text.split('\n').filter((line) => !line.startsWith('from ')).join('\n'),
      () => 'def broken(:\n',
    ];
    const structureEdits: [string, () => void][] = [
      ['a new module', () => writeFileSync(file(`${services}/added.py`), 'from sqlalchemy import select\n')],
      ['an atomic save (write elsewhere, rename over)', () => {
        writeFileSync(file(`${services}/.added.py.tmp`), 'import logging\nlogging.getLogger(__name__)\n');
        renameSync(file(`${services}/.added.py.tmp`), file(`${services}/added.py`));
      }],
      ['an editor swap file', () => writeFileSync(file(`${services}/.added.py.swp`), 'binary')],
      ['a module deleted', () => rmSync(file(`${services}/added.py`))],
      ['a new folder with modules', () => {
        mkdirSync(file(`${services}/extra/deeper`), { recursive: true });
        writeFileSync(file(`${services}/extra/__init__.py`), '');
        writeFileSync(file(`${services}/extra/deeper/mod.py`), 'from fastapi import APIRouter\n');
      }],
      ['a module in a new folder edited', () => appendFileSync(file(`${services}/extra/deeper/mod.py`), 'from sqlalchemy import text\n')],
      ['a folder renamed', () => renameSync(file(`${services}/extra`), file(`${services}/moved`))],
      ['a folder linked in', () => symlinkSync(file(`${services}/moved`), file(`${services}/linked`))],
      ['a module in the linked folder edited', () => appendFileSync(file(`${services}/moved/deeper/mod.py`), 'import os\nos.environ["X"]\n')],
      ['a folder deleted', () => {
        rmSync(file(`${services}/linked`));
        rmSync(file(`${services}/moved`), { recursive: true });
      }],
      ['a test file (excluded)', () => {
        mkdirSync(file('tests'), { recursive: true });
        writeFileSync(file('tests/test_x.py'), 'from sqlalchemy import text\n');
      }],
      ['the configuration excludes a folder', () => appendFileSync(file('pyproject.toml'), `exclude = ["tests/**", "${services}/**"]\n`)],
      ['a module in the newly excluded folder edited', () => appendFileSync(file(written.find((relative) => relative.startsWith(`${services}/`)) as string), 'from sqlalchemy import text\n')],
      ['the exclusion removed', () => writeFileSync(file('pyproject.toml'), readFileSync(file('pyproject.toml'), 'utf-8').replace(/exclude = .*\n/, ''))],
    ];

    const listingsBefore = server.files.counts.listings;
    let contentSteps = 0;
    for (let step = 0; step < 60; step++) {
      let what: string;
      if (step % 4 === 3 && structureEdits.length > 0) {
        const [name, edit] = structureEdits.shift() as [string, () => void];
        what = name;
        edit();
      } else {
        const relative = written[random(written.length)];
        what = `edit ${relative}`;
        writeFileSync(file(relative), contentEdits[random(contentEdits.length)](readFileSync(file(relative), 'utf-8')));
        contentSteps++;
      }
      const answered = await checkThroughServer(options);
      expect(answered, `${what}: the server answers`).not.toBeNull();
      const fresh = runCheckLayers({ ...options, cacheDirectory: null });
      expect(answered, `step ${step}: ${what}`).toEqual({ exitCode: fresh.exitCode, stdout: fresh.stdout, stderr: fresh.stderr });
    }
    expect(structureEdits).toEqual([]);
    // Content edits were answered from notifications: no folder listing for them.
    expect(server.files.counts.listings - listingsBefore).toBeLessThan(2 * 15);
    expect(server.files.counts.restats).toBeGreaterThanOrEqual(contentSteps);
  });

  it('rewrites a long state journal between requests, and still answers exactly', async () => {
    const { root, written } = await corpus(40);
    const cacheDirectory = temporary('layered-server-cache-');
    const server = await serve(root, cacheDirectory);
    const options: RunOptions = { projectRoot: root, cacheDirectory, format: 'json', color: false, pathPrefix: '' };
    for (let step = 0; step < 170; step++) {
      appendFileSync(path.join(root, written[step % written.length]), step % 7 === 0 ? 'from sqlalchemy import text\n' : `# edit ${step}\n`);
      expect(await checkThroughServer(options), `step ${step}`).not.toBeNull();
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(server.stateRewrites()).toBe(1);
    const journal = readdirSync(cacheDirectory).find((name) => name.endsWith('.state.journal'));
    const lines = journal ? readFileSync(path.join(cacheDirectory, journal), 'utf-8').split('\n').length - 1 : 0;
    expect(lines).toBeLessThan(50);
    const fresh = runCheckLayers({ ...options, cacheDirectory: null });
    expect(await checkThroughServer(options)).toEqual({ exitCode: fresh.exitCode, stdout: fresh.stdout, stderr: fresh.stderr });
  });

  it('writes report files, reports bad configuration, and stops on request', async () => {
    const { root } = await corpus(40);
    const cacheDirectory = temporary('layered-server-cache-');
    const reports = temporary('layered-server-reports-');
    await serve(root, cacheDirectory);
    const options: RunOptions = {
      projectRoot: root,
      cacheDirectory,
      format: 'pretty',
      color: false,
      pathPrefix: '',
      outputFile: path.join(reports, 'check.sarif'),
      graph: path.join(reports, 'layers.mmd'),
    };
    const answered = await checkThroughServer(options);
    expect(answered?.exitCode).toBe(runCheckLayers({ ...options, cacheDirectory: null, outputFile: undefined, graph: undefined }).exitCode);
    expect(JSON.parse(readFileSync(path.join(reports, 'check.sarif'), 'utf-8')).version).toBe('2.1.0');
    expect(readFileSync(path.join(reports, 'layers.mmd'), 'utf-8')).toMatch(/^flowchart/m);

    appendFileSync(path.join(root, 'pyproject.toml'), 'severity = { LAY003 = "loud" }\n');
    const broken = await checkThroughServer(options);
    expect(broken).toEqual({ exitCode: 2, stdout: '', stderr: expect.stringContaining('tool.layered.severity.LAY003: expected "error", "warning" or "off".') });

    expect(await stopServer(root, cacheDirectory)).toBe(2);
    expect(existsSync(socketPathFor(root, cacheDirectory) as string)).toBe(false);
    expect(await stopServer(root, cacheDirectory)).toBeNull();
  });

  it('steps down for a client of another build and never answers for another project', async () => {
    const { root } = await corpus(20);
    const cacheDirectory = temporary('layered-server-cache-');
    const socketPath = socketPathFor(root, cacheDirectory) as string;
    const server = startServer(root, cacheDirectory, socketPath, 'an older build');
    cleanups.push(() => server.stop());
    expect(await server.ready).toBe(true);
    // A second server for the same socket sees the live one and does not take over.
    const second = startServer(root, cacheDirectory, socketPath, 'an older build');
    cleanups.push(() => second.stop());
    expect(await second.ready).toBe(false);

    const options: RunOptions = { projectRoot: root, cacheDirectory, format: 'json', color: false, pathPrefix: '' };
    // The client is of this build: the server frees the socket and the caller checks in-process.
    expect(await checkThroughServer(options)).toBeNull();
    expect(existsSync(socketPath)).toBe(false);
    expect(await checkThroughServer({ ...options, cacheDirectory: null })).toBeNull();
  });
});

describe('watched files', () => {
  it('lists again after a burst of notifications, since the kernel may have dropped some', async () => {
    const { root, written } = await corpus(30);
    const files = new WatchedFiles(root, 8);
    cleanups.push(() => files.close());
    const config = loadConfig(root, RULE_IDS);
    const first = files.current(config);
    expect(files.counts.listings).toBe(2); // listed, watched, listed again
    const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));
    appendFileSync(path.join(root, written[0]), '# one\n');
    await settle();
    const second = files.current(config);
    expect(files.counts).toEqual({ listings: 2, restats: 1 });
    expect(second.files).toBe(first.files);
    for (const relative of written.slice(0, 10)) appendFileSync(path.join(root, relative), '# burst\n');
    await settle();
    files.current(config);
    expect(files.counts.listings).toBe(3);
  });
});

describe('when --daemon is honoured', () => {
  it('follows the flag, except on CI, and LAYERED_DAEMON wins both ways', () => {
    expect(daemonWanted(true, {})).toBe(true);
    expect(daemonWanted(false, {})).toBe(false);
    expect(daemonWanted(true, { CI: 'true' })).toBe(false);
    expect(daemonWanted(true, { CI: 'false' })).toBe(true);
    expect(daemonWanted(false, { LAYERED_DAEMON: '1' })).toBe(true);
    expect(daemonWanted(true, { CI: 'true', LAYERED_DAEMON: 'true' })).toBe(true);
    expect(daemonWanted(true, { LAYERED_DAEMON: '0' })).toBe(false);
  });
});
