import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { E2E_TMP, REPO_ROOT } from './support/paths';
import { NX_ENV } from './support/workspace';
import { groupAlive, run, runOrThrow } from './support';

const DEMO_SCRIPT = path.join(REPO_ROOT, 'scripts/demo.mjs');

// The demo as a user starts it: no LAYERED_PYTHON, no uv settings of the harness.
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const name of ['LAYERED_PYTHON', 'LAYERED_E2E_PYTHON', 'UV_CACHE_DIR', 'UV_PYTHON_DOWNLOADS', 'UV_NO_PROGRESS']) delete env[name];
  return env;
}

const demo = (dir: string, timeoutMs = 30 * 60_000) => run(process.execPath, [DEMO_SCRIPT], { cwd: REPO_ROOT, env: userEnv({ LAYERED_DEMO_DIR: dir }), timeoutMs });

/** The indented lines after `heading`, up to the next line that is not indented. */
function block(output: string, heading: string): string[] {
  const lines = output.split('\n');
  const start = lines.indexOf(heading);
  if (start === -1) throw new Error(`no "${heading}" in the demo's output:\n${output.slice(-3000)}`);
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('  ')) break;
    body.push(line.slice(2));
  }
  return body;
}

async function stopGroup(pid: number): Promise<void> {
  for (const [signal, waitMs] of [['SIGTERM', 15_000], ['SIGKILL', 5_000]] as const) {
    if (!groupAlive(pid)) return;
    process.kill(-pid, signal);
    const deadline = Date.now() + waitMs;
    while (groupAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function listen(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** Command lines of running processes that name `dir` (zombies have none). */
async function processesMentioning(dir: string): Promise<string[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = (await runOrThrow('ps', ['-eo', 'stat=,args='])).stdout
      .split('\n')
      .filter((line) => line.includes(dir) && !line.trimStart().startsWith('Z'));
    if (found.length === 0 || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const snapshot = (dir: string) => readdirSync(dir, { recursive: true, encoding: 'utf-8' }).sort();

describe('npm run demo', () => {
  const root = path.join(E2E_TMP, 'demo');
  mkdirSync(root, { recursive: true });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('refuses a folder it did not make: names it and LAYERED_DEMO_DIR, exits non-zero, writes nothing', async () => {
    const dir = path.join(root, 'not-a-demo');
    mkdirSync(path.join(dir, 'notes'), { recursive: true });
    writeFileSync(path.join(dir, 'notes/keep.txt'), 'mine\n');
    const before = snapshot(dir);

    const result = await demo(dir, 60_000);

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`demo: ${dir} exists and was not made by the demo (it has no .layered-demo file); nothing was changed.`);
    expect(result.stderr).toContain('LAYERED_DEMO_DIR=');
    expect(snapshot(dir)).toEqual(before);
    expect(readFileSync(path.join(dir, 'notes/keep.txt'), 'utf-8')).toBe('mine\n');
  });

  it('refuses a path that is a file, and changes nothing', async () => {
    const file = path.join(root, 'a-file');
    writeFileSync(file, 'mine\n');

    const result = await demo(file, 60_000);

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`demo: ${file} exists and was not made by the demo`);
    expect(readFileSync(file, 'utf-8')).toBe('mine\n');
  });

  it('replaces a folder it made, saying so; moves off a taken port 8000; Ctrl-C during serve leaves nothing running', async () => {
    const dir = path.join(root, 'previous-demo');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, '.layered-demo'), 'Made by `npm run demo` of layered\n');
    writeFileSync(path.join(dir, 'left-from-last-time.txt'), 'old\n');
    // Held only while the demo starts; if someone else holds it, the demo must move all the same.
    let holder = await listen(8000);
    const release = () => {
      holder?.close();
      holder = undefined;
    };
    const child = spawn(process.execPath, [DEMO_SCRIPT], { cwd: REPO_ROOT, env: userEnv({ LAYERED_DEMO_DIR: dir }), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Nx colours its headers when it thinks the terminal can show them (CI=true, for one).
    const plain = () => output.replace(/\x1b\[[0-9;]*m/g, '');
    const waitFor = async (pattern: RegExp) => {
      const deadline = Date.now() + 10 * 60_000;
      while (!pattern.test(plain()) && child.exitCode === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      if (!pattern.test(plain())) throw new Error(`the demo never printed ${pattern}:\n${plain().slice(-6000)}`);
    };
    let code: number | null;
    try {
      await waitFor(/==> Install what the demo needs/);
      release();
      expect(output).toContain(`demo: replacing the previous demo workspace at ${dir}\n`);
      expect(existsSync(path.join(dir, 'left-from-last-time.txt'))).toBe(false);
      expect(existsSync(path.join(dir, '.layered-demo'))).toBe(true);

      // Ctrl-C reaches the demo's process group, not the server's: the demo must stop it. Sent
      // once Nx has started serve, seconds before the app answers and the check would stop it.
      await waitFor(/in the background until[\s\S]*serve \| > nx run api:serve/);
      process.kill(child.pid!, 'SIGINT');
      code = await exited;
    } finally {
      release();
      await stopGroup(child.pid!);
    }

    expect(code).toBe(130);
    const port = Number(/demo: port 8000 is in use; the demo's server will listen on (\d+)\n/.exec(output)?.[1]);
    expect(port).toBeGreaterThan(0);
    let free: Server | undefined;
    for (let attempt = 0; attempt < 100 && !free; attempt += 1) {
      free = await listen(port);
      if (!free) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(free, `port ${port} still taken after the demo was interrupted`).toBeDefined();
    free?.close();
    expect(await processesMentioning(dir)).toEqual([]);
  });

  it('builds a workspace whose targets pass, and prints a closing hint that works as printed', async () => {
    const dir = path.join(root, 'workspace');

    const result = await demo(dir);

    expect(result.code, result.output.slice(-8000)).toBe(0);
    for (const target of ['test', 'lint', 'typecheck', 'check-layers']) expect(result.stdout).toContain(`api:${target} passed in `);
    expect(result.stdout).toMatch(/serve stopped; nothing listens on port \d+\n/);
    expect(existsSync(path.join(dir, '.layered-demo'))).toBe(true);

    // First terminal: everything up to serve, which keeps running. Second terminal: the curls.
    const first = block(result.stdout, 'Try it:');
    const second = block(result.stdout, 'While it runs, in a second terminal:');
    expect(first[0]).toBe(`cd ${dir}`);
    expect(first.some((line) => line.startsWith('npx nx run api:migrate'))).toBe(true);
    expect(first[first.length - 1]).toMatch(/^npx nx run api:serve\b/);
    expect(second).toHaveLength(2);
    const baseUrl = /(http:\/\/127\.0\.0\.1:\d+)\/recipes/.exec(second[0])?.[1];
    expect(baseUrl).toBeDefined();

    // A shell as the user has it: the harness's PATH, nothing that names uv but the hint itself.
    const shellEnv = userEnv(NX_ENV);
    const server = spawn('sh', ['-ec', first.join('\n')], { cwd: E2E_TMP, env: shellEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let serverOutput = '';
    server.stdout.on('data', (chunk: Buffer) => (serverOutput += chunk));
    server.stderr.on('data', (chunk: Buffer) => (serverOutput += chunk));
    try {
      const deadline = Date.now() + 180_000;
      for (;;) {
        if (server.exitCode !== null) throw new Error(`the hint's first terminal exited ${server.exitCode}:\n${serverOutput}`);
        const healthy = await fetch(`${baseUrl}/health`).then((response) => response.ok, () => false);
        if (healthy) break;
        if (Date.now() > deadline) throw new Error(`${baseUrl}/health did not answer within 180 s:\n${serverOutput}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }

      const created = await runOrThrow('sh', ['-ec', second[0]], { cwd: E2E_TMP, env: shellEnv });
      const listed = await runOrThrow('sh', ['-ec', second[1]], { cwd: E2E_TMP, env: shellEnv });

      const recipe = JSON.parse(created.stdout) as { id: string; title: string };
      expect(recipe.title).toBe('Pancakes');
      expect(listed.stdout).toContain(recipe.id);
    } finally {
      await stopGroup(server.pid!);
    }
    expect(groupAlive(server.pid!)).toBe(false);
    const port = Number(new URL(baseUrl!).port);
    const probe = await listen(port);
    expect(probe, `something still listens on ${port}`).toBeDefined();
    probe?.close();

    // The "Next" line, in the first terminal once serve is stopped.
    const next = block(result.stdout, 'Next: stop serve, add a feature and migrate, then serve again:');
    expect(next).toHaveLength(1);
    const prelude = first.filter((line) => line.startsWith('cd ') || line.startsWith('export '));
    const grown = await run('sh', ['-ec', [...prelude, next[0]].join('\n')], { cwd: E2E_TMP, env: shellEnv });
    expect(grown.code, grown.output.slice(-4000)).toBe(0);
    expect(existsSync(path.join(dir, 'apps/api/src/api/domain/models/ingredient.py'))).toBe(true);
  });
});
