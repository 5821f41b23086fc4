// Times the generators in a fresh workspace: the wall time of `nx g ...` as a user runs it,
// and the plugin's own share (the generator run in-process on Nx's file-system tree).
// Usage: node scripts/bench-generators.mjs [runs=5]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 5);
const dir = process.env.LAYERED_BENCH_DIR ?? '/tmp/layered-bench-generators';

rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
execFileSync(process.execPath, [join(repo, 'scripts/pack.mjs'), '--destination', dir], { stdio: 'ignore' });
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

const FIELDS = 'title:str,servings:int=1,notes:str?,price:Decimal,published_on:date';

// The plugin's own work: loading it and running the generator on Nx's file-system tree, in a
// fresh process each time (as `nx g` does), without Nx's CLI start-up and project graph.
const CHILD = `
  const { createRequire } = require('node:module');
  const [dir, generatorName, options] = process.argv.slice(1);
  const started = process.hrtime.bigint();
  const requireInWorkspace = createRequire(dir + '/package.json');
  const { FsTree, flushChanges } = requireInWorkspace('nx/src/generators/tree');
  const generator = requireInWorkspace('layered/src/generators/' + generatorName + '/generator').default;
  const tree = new FsTree(dir, false);
  Promise.resolve(generator(tree, JSON.parse(options))).then(() => {
    flushChanges(dir, tree.listChanges());
    process.stdout.write(String(Number(process.hrtime.bigint() - started) / 1e6));
  });
`;
function inProcess(generatorName, options) {
  const result = spawnSync(process.execPath, ['-e', CHILD, dir, generatorName, JSON.stringify(options)], { cwd: dir, encoding: 'utf-8' });
  if (result.status !== 0) throw new Error(`in-process ${generatorName} failed:\n${result.stderr}`);
  return Number(result.stdout);
}

// `nest g resource` (REST, CRUD) in a Nest app made by `nest new`, TypeScript pinned to 6.
function nestWalls() {
  const nestDir = join(dir, 'nest');
  mkdirSync(nestDir, { recursive: true });
  writeFileSync(join(nestDir, 'package.json'), '{"name":"nest-bench","private":true}\n');
  execFileSync('npm', ['install', '-D', '--no-fund', '--no-audit', '--loglevel=error', '@nestjs/cli@12.0.8', 'typescript@6'], { cwd: nestDir, stdio: 'ignore' });
  const nest = join(nestDir, 'node_modules/.bin/nest');
  execFileSync(nest, ['new', 'app', '--skip-git', '--skip-install', '--package-manager', 'npm'], { cwd: nestDir, stdio: 'ignore' });
  const app = join(nestDir, 'app');
  execFileSync('npm', ['install', '--no-fund', '--no-audit', '--loglevel=error', 'typescript@6'], { cwd: app, stdio: 'ignore' });
  const walls = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(nest, ['g', 'resource', `thing${i}`, '--type', 'rest', '--crud'], { cwd: app, encoding: 'utf-8' });
    if (result.status !== 0) throw new Error(`nest g resource failed:\n${result.stdout}${result.stderr}`);
    walls.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return walls;
}

const walls = [];
const own = [];
for (let i = 0; i < runs; i++) {
  // --skipInstall: the generator's own work, not uv sync's downloads.
  walls.push(wall(['g', 'layered:application', `wall${i}`, '--skipInstall', '--no-interactive']));
  own.push(inProcess('application', { name: `own${i}`, skipFormat: true }));
}
const featureWalls = [];
const featureOwn = [];
for (let i = 0; i < runs; i++) {
  featureWalls.push(wall(['g', 'layered:feature', `wallthing${i}`, '--project=wall0', `--fields=${FIELDS}`, '--no-interactive']));
  featureOwn.push(inProcess('feature', { name: `ownthing${i}`, project: 'own0', fields: FIELDS, skipFormat: true }));
}
const nest = nestWalls();
console.log(`nx g layered:application <name>   median of ${runs}: ${median(walls).toFixed(0)} ms wall (runs: ${walls.map((v) => v.toFixed(0)).join(', ')})`);
console.log(`  plugin's own work (in-process)   median of ${runs}: ${median(own).toFixed(0)} ms (${((100 * median(own)) / median(walls)).toFixed(0)}% of wall; includes loading the plugin, ruff's and tree-sitter's wasm)`);
console.log(`nx g layered:feature (5 fields)    median of ${runs}: ${median(featureWalls).toFixed(0)} ms wall (runs: ${featureWalls.map((v) => v.toFixed(0)).join(', ')})`);
console.log(`  plugin's own work (in-process)   median of ${runs}: ${median(featureOwn).toFixed(0)} ms (${((100 * median(featureOwn)) / median(featureWalls)).toFixed(0)}% of wall)`);
console.log(`nest g resource (REST, CRUD)       median of ${runs}: ${median(nest).toFixed(0)} ms wall (runs: ${nest.map((v) => v.toFixed(0)).join(', ')})`);
console.log(`ratio layered:feature / nest g resource (wall): ${(median(featureWalls) / median(nest)).toFixed(2)}`);
