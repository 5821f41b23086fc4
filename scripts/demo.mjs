// The demo of the main job: build and pack the plugin, create a fresh Nx workspace, generate
// a layered FastAPI app with a feature, and run its tests, type check and layer check.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const demo = process.env.LAYERED_DEMO_DIR ?? '/tmp/layered-demo';
const generators = JSON.parse(readFileSync(join(repo, 'generators.json'), 'utf-8')).generators;
const executors = JSON.parse(readFileSync(join(repo, 'executors.json'), 'utf-8')).executors;

function step(title) {
  process.stdout.write(`\n==> ${title}\n`);
}

function sh(command, args, options = {}) {
  process.stdout.write(`$ ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit', ...options, env: { ...process.env, ...options.env } });
  if (result.status !== 0) {
    process.stderr.write(`\ndemo failed: ${command} ${args.join(' ')} exited ${result.status}\n`);
    process.exit(1);
  }
}

function pythonForTargets() {
  if (process.env.LAYERED_E2E_PYTHON) return process.env.LAYERED_E2E_PYTHON;
  if (spawnSync('sh', ['-c', 'command -v uv'], { stdio: 'ignore' }).status === 0) return undefined; // targets default to `uv run python`
  step('Python: building (or reusing) the cached Debian trixie root (PyPI is not needed)');
  return execFileSync('bash', [join(repo, 'e2e/support/python-root.sh')], { encoding: 'utf-8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

step('Build and pack the plugin');
sh(process.execPath, [join(repo, 'scripts/build.mjs')]);
rmSync(demo, { recursive: true, force: true });
mkdirSync(demo, { recursive: true });
sh('npm', ['pack', '--silent', '--pack-destination', demo], { cwd: join(repo, 'dist') });
const tarball = join(demo, readdirSync(demo).find((file) => file.endsWith('.tgz')));

step(`Create a fresh Nx workspace in ${demo}`);
writeFileSync(join(demo, 'package.json'), `${JSON.stringify({ name: 'layered-demo', private: true }, null, 2)}\n`);
writeFileSync(join(demo, 'nx.json'), `${JSON.stringify({ $schema: './node_modules/nx/schemas/nx-schema.json' }, null, 2)}\n`);
writeFileSync(join(demo, '.gitignore'), 'node_modules\n.nx\n');
sh('npm', ['install', '--save-dev', '--no-fund', '--no-audit', '--loglevel=error', 'nx@24.0.6', tarball], { cwd: demo });

const nxEnv = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };
const nx = (...args) => sh(process.execPath, [join(demo, 'node_modules/nx/dist/bin/nx.js'), ...args], { cwd: demo, env: nxEnv });

step('Generate a layered FastAPI backend');
nx('g', 'layered:application', 'api', '--no-interactive');
if (generators.feature) {
  step('Generate a feature slice in every layer');
  nx('g', 'layered:feature', 'recipe', '--project=api', '--fields=title:str,servings:int=1,notes:str?,published_on:date?', '--no-interactive');
}

const python = pythonForTargets();
const pythonEnv = python ? { LAYERED_PYTHON: python } : {};
step('Run the generated tests, the strict type check and the layer check');
sh(process.execPath, [join(demo, 'node_modules/nx/dist/bin/nx.js'), 'run', 'api:test'], { cwd: demo, env: { ...nxEnv, ...pythonEnv } });
sh(process.execPath, [join(demo, 'node_modules/nx/dist/bin/nx.js'), 'run', 'api:typecheck'], { cwd: demo, env: { ...nxEnv, ...pythonEnv } });
if (executors['check-layers']) nx('run', 'api:check-layers');

const runner = python ? `LAYERED_PYTHON=${python} ` : '';
process.stdout.write(`
Done. The demo workspace is ${demo}; the app is ${join(demo, 'apps/api')}.
Try:
  cd ${demo}
  ${runner}npx nx run api:serve          # then: curl http://127.0.0.1:8000/health
  npx nx g layered:feature ingredient --project=api --fields="name:str,grams:int"
  npx nx run api:check-layers
`);
if (!existsSync(join(demo, 'apps/api/pyproject.toml'))) process.exit(1);
