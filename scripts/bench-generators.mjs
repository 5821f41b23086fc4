// Times the generators in a fresh workspace: the wall time of `nx g ...` as a user runs it,
// and the plugin's own share (the generator run in-process on Nx's file-system tree).
// Usage: node scripts/bench-generators.mjs [runs=5]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 5);
const dir = process.env.LAYERED_BENCH_DIR ?? '/tmp/layered-bench-generators';

rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
execFileSync(process.execPath, [join(repo, 'scripts/build.mjs')], { stdio: 'ignore' });
execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: join(repo, 'dist') });
const tarball = join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz')));
writeFileSync(join(dir, 'package.json'), '{"name":"bench","private":true}\n');
writeFileSync(join(dir, 'nx.json'), '{}\n');
execFileSync('npm', ['install', '-D', '--no-fund', '--no-audit', '--loglevel=error', 'nx@24.0.6', tarball], { cwd: dir, stdio: 'ignore' });

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };
const nx = join(dir, 'node_modules/nx/dist/bin/nx.js');
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function wall(args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [nx, ...args], { cwd: dir, env, encoding: 'utf-8' });
  if (result.status !== 0) throw new Error(`nx ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const requireInWorkspace = createRequire(join(dir, 'package.json'));
const { FsTree, flushChanges } = requireInWorkspace('nx/src/generators/tree');
const { applicationGenerator } = requireInWorkspace('layered/src/generators/application/generator');

async function inProcess(name) {
  const started = process.hrtime.bigint();
  const tree = new FsTree(dir, false);
  await applicationGenerator(tree, { name, skipFormat: true });
  flushChanges(dir, tree.listChanges());
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const walls = [];
const own = [];
for (let i = 0; i < runs; i++) {
  walls.push(wall(['g', 'layered:application', `wall${i}`, '--no-interactive']));
  own.push(await inProcess(`own${i}`));
}
console.log(`nx g layered:application <name>   median of ${runs}: ${median(walls).toFixed(0)} ms wall (runs: ${walls.map((v) => v.toFixed(0)).join(', ')})`);
console.log(`  plugin's own work (in-process)   median of ${runs}: ${median(own).toFixed(0)} ms (${((100 * median(own)) / median(walls)).toFixed(0)}% of wall; first run includes loading ruff's wasm)`);
