// `npm run demo`: pack the plugin, create a fresh Nx workspace, generate a layered FastAPI app
// with a feature, run its targets through uv as a user does, then run the closing hint's own
// commands (migrate, serve, curl) before printing them.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const demo = resolve(process.env.LAYERED_DEMO_DIR ?? '/tmp/layered-demo');
// The folder is the demo's only if this file is in it: nothing else is ever deleted.
const MARKER = '.layered-demo';
const NX_VERSION = '24.0.6';
// The generated serve target's default port; another one (`-- --port N`) when it is taken.
const DEFAULT_PORT = 8000;

// uv as scripts/setup.sh installs it (see e2e/support/paths.ts): never a downloaded Python.
const cache = process.env.LAYERED_E2E_CACHE ?? '/var/cache/layered-e2e';
const uvBin = join(cache, `uv-${readFileSync(join(repo, 'scripts/uv-version'), 'utf-8').trim()}`, 'bin');
const originalPath = process.env.PATH ?? '';
const uvWasOnPath = spawnSync('sh', ['-c', 'command -v uv'], { stdio: 'ignore' }).status === 0;

// Targets run as a user runs them: through uv, never a LAYERED_PYTHON left in this shell.
const userEnv = { ...process.env };
delete userEnv.LAYERED_PYTHON;
delete userEnv.LAYERED_E2E_PYTHON;
const nxEnv = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };
const uvEnv = { PATH: `${uvBin}${delimiter}${originalPath}`, UV_CACHE_DIR: join(cache, 'uv-cache'), UV_PYTHON_DOWNLOADS: 'never' };
const runEnv = { ...userEnv, ...nxEnv, ...uvEnv };

const quote = (text) => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const demoStarted = Date.now();

function fail(message) {
  process.stderr.write(`\ndemo: ${message}\n`);
  process.exit(1);
}

function step(title) {
  process.stdout.write(`\n==> ${title}\n`);
}

function sh(command, args, options = {}) {
  process.stdout.write(`$ ${[command, ...args].join(' ')}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit', ...options, env: options.env ?? runEnv });
  if (result.status !== 0) fail(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}`);
}

const nxBin = () => join(demo, 'node_modules/nx/dist/bin/nx.js');
function nx(...args) {
  process.stdout.write(`$ nx ${args.join(' ')}\n`);
  const result = spawnSync(process.execPath, [nxBin(), ...args], { cwd: demo, stdio: 'inherit', env: runEnv });
  if (result.status !== 0) fail(`nx ${args.join(' ')} exited ${result.status ?? result.signal}`);
}

/** Checks the folder before anything is written: missing, empty, or a previous demo's. */
function claimDemoFolder() {
  if (!existsSync(demo)) return 'create';
  const stat = lstatSync(demo);
  if (stat.isDirectory() && existsSync(join(demo, MARKER))) return 'replace';
  if (stat.isDirectory() && readdirSync(demo).length === 0) return 'create';
  fail(
    [
      `${demo} exists and was not made by the demo (it has no ${MARKER} file); nothing was changed.`,
      `Choose another folder, e.g.: LAYERED_DEMO_DIR=/tmp/layered-demo-2 npm run demo`,
    ].join('\n'),
  );
}

function portIsFree(port) {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.once('error', () => resolvePort(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePort(true)));
  });
}

function anyFreePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

const PORT = (await portIsFree(DEFAULT_PORT)) ? DEFAULT_PORT : await anyFreePort();
const BASE_URL = `http://127.0.0.1:${PORT}`;

// --- The closing hint: printed at the end, and run by the end check exactly as printed. ---
const RECIPE = '{"title":"Pancakes","servings":4}';
const hint = {
  prelude: [`cd ${quote(demo)}`, ...(uvWasOnPath ? [] : [`export PATH=${quote(uvBin)}:"$PATH"`])],
  migrate: 'npx nx run api:migrate',
  serve: PORT === DEFAULT_PORT ? 'npx nx run api:serve' : `npx nx run api:serve -- --port ${PORT}`,
  create: `curl -sS --fail-with-body -X POST ${BASE_URL}/recipes -H 'content-type: application/json' -d '${RECIPE}'`,
  list: `curl -sS --fail-with-body ${BASE_URL}/recipes`,
};

const commented = (command, comment) => `${command.padEnd(Math.max(hint.migrate.length, hint.serve.length) + 2)}# ${comment}`;

/** Two blocks, as a user runs them: the server in one terminal, curl in a second one. */
function hintText() {
  return [
    'Try it:',
    ...[...hint.prelude, commented(hint.migrate, 'creates the tables (SQLite: apps/api/api.db)'), commented(hint.serve, 'keeps running; Ctrl-C stops it')].map((line) => `  ${line}`),
    'While it runs, in a second terminal:',
    ...[hint.create, hint.list].map((line) => `  ${line}`),
    'Next: stop serve, add a feature and migrate, then serve again:',
    '  npx nx g layered:feature ingredient --project=api --fields="name:str,grams:int" && npx nx run api:migrate',
  ];
}

// The end check runs in the environment of a user's shell: no uv settings but the hint's own.
const shellEnv = { ...userEnv, PATH: originalPath };
for (const name of ['UV_CACHE_DIR', 'UV_PYTHON_DOWNLOADS']) delete shellEnv[name];
const script = (command) => [...hint.prelude, command].join('\n');

/** Runs one line of the hint: in the first terminal (after its cd and export) or the second. */
function runHintLine(command, { secondTerminal = false } = {}) {
  process.stdout.write(`$ ${command}\n`);
  const result = spawnSync('sh', ['-ec', secondTerminal ? command : script(command)], { env: { ...shellEnv, ...nxEnv }, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(result.stdout.endsWith('\n') || result.stdout === '' ? result.stdout : `${result.stdout}\n`);
  if (result.status !== 0) fail(`\`${command}\` exited ${result.status ?? result.signal}`);
  return result.stdout;
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops serve's whole process group (nx, uv, the reloader and its worker) and checks it is gone. */
async function stopServer(server) {
  for (const [signal, waitMs] of [['SIGTERM', 15_000], ['SIGKILL', 5_000]]) {
    if (!groupAlive(server.pid)) break;
    process.kill(-server.pid, signal);
    const deadline = Date.now() + waitMs;
    while (groupAlive(server.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  }
  if (groupAlive(server.pid)) fail(`serve's processes (group ${server.pid}) are still running after SIGKILL`);
  serverGroup = undefined;
  if (!(await portIsFree(PORT))) fail(`something still listens on port ${PORT} after serve was stopped`);
}

async function waitForHealth(server, log) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) fail(`\`${hint.serve}\` exited ${server.exitCode} before answering:\n${log()}`);
    try {
      const response = await fetch(`${BASE_URL}/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  await stopServer(server);
  fail(`${BASE_URL}/health did not answer within 120 s:\n${log()}`);
}

// serve's process group while it runs: however the demo ends (a failed check, Ctrl-C), it goes too.
let serverGroup;
process.on('exit', () => {
  if (serverGroup !== undefined && groupAlive(serverGroup)) process.kill(-serverGroup, 'SIGTERM');
});

async function endCheck() {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => process.exit(130));
  runHintLine(hint.migrate);
  process.stdout.write(`$ ${hint.serve}   (in the background until ${BASE_URL}/health answers)\n`);
  // Its own process group, so that stopping it reaches every process it starts; piped, so that
  // Nx does not give it a pseudo-terminal (a session of its own) even when the demo has one.
  const server = spawn('sh', ['-ec', script(hint.serve)], { env: { ...shellEnv, ...nxEnv }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  serverGroup = server.pid;
  let log = '';
  const forward = (chunk) => {
    log += chunk;
    process.stdout.write(String(chunk).replace(/^(?=.)/gm, '  serve | '));
  };
  server.stdout.on('data', forward);
  server.stderr.on('data', forward);
  try {
    await waitForHealth(server, () => log);
    const created = JSON.parse(runHintLine(hint.create, { secondTerminal: true }));
    if (typeof created.id !== 'string') fail(`POST /recipes answered without an id: ${JSON.stringify(created)}`);
    const listed = runHintLine(hint.list, { secondTerminal: true });
    if (!listed.includes(created.id)) fail(`GET /recipes does not list the created recipe ${created.id}`);
    // Titles are unique, so this one differs from the hint's.
    const response = await fetch(`${BASE_URL}/recipes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":"Waffles"}' });
    if (response.status !== 201) fail(`POST /recipes answered ${response.status}, expected 201: ${await response.text()}`);
  } finally {
    await stopServer(server);
  }
  process.stdout.write(`serve stopped; nothing listens on port ${PORT}\n`);
  // The user runs the same hint next: from an empty database, as the demo did, or its POST would
  // meet the demo's row (titles are unique).
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(join(demo, `apps/api/api.db${suffix}`), { force: true });
  process.stdout.write('removed apps/api/api.db, so the commands below start from an empty database\n');
}

// --- The demo ---
const claim = claimDemoFolder();
if (PORT !== DEFAULT_PORT) process.stdout.write(`demo: port ${DEFAULT_PORT} is in use; the demo's server will listen on ${PORT}\n`);
if (claim === 'replace') {
  process.stdout.write(`demo: replacing the previous demo workspace at ${demo}\n`);
  rmSync(demo, { recursive: true, force: true });
}
mkdirSync(demo, { recursive: true });
// Written first, so that an interrupted run is still recognised as the demo's next time.
writeFileSync(join(demo, MARKER), 'Made by `npm run demo` of layered; the next demo run replaces this folder.\n');

step('Install what the demo needs (scripts/setup.sh: npm packages, uv from PyPI)');
sh('bash', [join(repo, 'scripts/setup.sh')], { cwd: repo, env: process.env });

step('Build and pack the plugin (npm run pack)');
sh(process.execPath, [join(repo, 'scripts/pack.mjs'), '--destination', demo], { cwd: repo });
const tarball = join(demo, readdirSync(demo).find((file) => file.endsWith('.tgz')));

step(`Create a fresh Nx workspace in ${demo}`);
writeFileSync(join(demo, 'package.json'), `${JSON.stringify({ name: 'layered-demo', private: true }, null, 2)}\n`);
writeFileSync(join(demo, 'nx.json'), `${JSON.stringify({ $schema: './node_modules/nx/schemas/nx-schema.json', neverConnectToCloud: true }, null, 2)}\n`);
writeFileSync(join(demo, '.gitignore'), 'node_modules\n.nx\n');
sh('npm', ['install', '--save-dev', '--no-fund', '--no-audit', '--loglevel=error', `nx@${NX_VERSION}`, tarball], { cwd: demo });

// About 49 MB of wheels (mypy 15, ruff 11, sqlalchemy 5, ...) measured from uv.lock on Linux x86_64.
step('Generate a layered FastAPI backend; its generator runs uv sync (the first run downloads about 50 MB from PyPI)');
nx('g', 'layered:application', 'api', '--no-interactive');
step('Generate a feature slice in every layer');
nx('g', 'layered:feature', 'recipe', '--project=api', '--fields=title:str,servings:int=1,notes:str?,published_on:date?', '--no-interactive');

step('Run the generated targets through uv (LAYERED_PYTHON unset)');
for (const target of ['test', 'lint', 'typecheck', 'check-layers']) {
  const started = Date.now();
  nx('run', `api:${target}`);
  process.stdout.write(`api:${target} passed in ${seconds(started)}\n`);
}

step('End check: the commands printed below, as printed');
if (!(await portIsFree(PORT))) fail(`port ${PORT} was taken while the demo ran; run the demo again.`);
await endCheck();

process.stdout.write(
  [
    '',
    `Done in ${seconds(demoStarted)}. The demo workspace is ${demo}; the app is ${join(demo, 'apps/api')}.`,
    `Running the demo again replaces this folder (it has a ${MARKER} file).`,
    ...hintText(),
    '',
  ].join('\n'),
);
