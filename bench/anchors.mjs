#!/usr/bin/env node
// Times check-layers against import-linter 2.x and tach on the same code with equivalent contracts:
// the synthetic corpus (bench/generate-corpus.mjs) and real packages installed from PyPI. Every run is
// cold (check-layers with its cache folder removed, import-linter with --no-cache, tach with .tach
// removed); the tools alternate within each repetition; medians are reported. CPU is user+sys of the
// child and its children, peak memory the largest max RSS among them (GNU time, /usr/bin/time).
// The tools live in a cached uv environment under $LAYERED_E2E_CACHE (like the e2e suite; uv from
// scripts/setup.sh), made once and reused; --refresh installs the newest releases again.
// Build first: `node scripts/build.mjs`.
// usage: node bench/anchors.mjs [--sizes 4000,65000] [--real django,transformers] [--runs 5] [--dir /tmp/layered-anchors] [--refresh]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateCorpus } from './generate-corpus.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');
const cli = join(repo, 'dist', 'src', 'executors', 'check-layers', 'cli.js');
const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '4000,65000' },
    real: { type: 'string', default: 'django,transformers' },
    runs: { type: 'string', default: '5' },
    dir: { type: 'string', default: join(tmpdir(), 'layered-anchors') },
    refresh: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const fail = (message) => {
  console.error(`anchors: ${message}`);
  process.exit(2);
};
if (!existsSync(cli)) fail(`${cli} is missing; run \`node scripts/build.mjs\` first.`);
if (!existsSync('/usr/bin/time')) fail('/usr/bin/time (GNU time) is missing; install it (Debian: apt-get install time).');

// ---- tools: uv (scripts/setup.sh) and a cached environment with import-linter and tach --------------
const cache = process.env.LAYERED_E2E_CACHE ?? '/var/cache/layered-e2e';
const uvVersion = readFileSync(join(repo, 'scripts', 'uv-version'), 'utf-8').trim();
const uv = join(cache, `uv-${uvVersion}`, 'bin', 'uv');
if (!existsSync(uv)) fail(`${uv} is missing; run \`LAYERED_E2E_CACHE=${cache} scripts/setup.sh\` first.`);
const uvEnv = { ...process.env, UV_CACHE_DIR: join(cache, 'uv-cache'), UV_PYTHON_DOWNLOADS: 'never', UV_NO_PROGRESS: '1' };

/** A uv virtual environment under the cache with `packages`, made once (or again with --refresh). */
function environment(name, packages, extra = []) {
  const home = join(cache, 'anchors', name);
  const stamp = join(home, '.complete');
  const wanted = JSON.stringify([packages, extra]);
  if (values.refresh || !existsSync(stamp) || readFileSync(stamp, 'utf-8') !== wanted) {
    console.log(`anchors: installing ${packages.join(' ')} into ${home}`);
    rmSync(home, { recursive: true, force: true });
    mkdirSync(dirname(home), { recursive: true });
    const steps = [
      ['venv', '--quiet', '--python', 'python3', home],
      ['pip', 'install', '--quiet', '--python', join(home, 'bin', 'python'), ...extra, ...packages],
    ];
    for (const step of steps) {
      const done = spawnSync(uv, step, { env: uvEnv, stdio: 'inherit' });
      if (done.status !== 0) fail(`\`uv ${step.join(' ')}\` failed (is https://pypi.org reachable?)`);
    }
    writeFileSync(stamp, wanted);
  }
  return home;
}

const tools = environment('tools', ['import-linter>=2,<3', 'tach']);
const versionOf = (name) =>
  spawnSync(join(tools, 'bin', 'python'), ['-c', `import importlib.metadata as m; print(m.version(${JSON.stringify(name)}))`], { encoding: 'utf-8' }).stdout.trim();
const versions = { 'check-layers': JSON.parse(readFileSync(join(repo, 'package.json'), 'utf-8')).version, 'import-linter': versionOf('import-linter'), tach: versionOf('tach') };

// ---- contracts ---------------------------------------------------------------------------------------
// A layout is a list of levels, top to bottom; a level lists [check-layers layer, module] pairs. Modules on
// one level may import each other (check-layers ranks them equal; import-linter `:`; tach: mutual depends_on).

/** Synthetic corpus: check-layers' default layers, top to bottom (README, "Layer order"). */
const SYNTHETIC = [
  [['routes', 'shop.http.routes']],
  [['dependencies', 'shop.http.dependencies']],
  [['schemas', 'shop.http.schemas']],
  [['factory', 'shop.domain.factory']],
  [['controllers', 'shop.domain.controllers']],
  [['services', 'shop.domain.services']],
  [['repositories', 'shop.domain.repositories']],
  [['models', 'shop.domain.models']],
  [['errors', 'shop.domain.errors']],
  [['config', 'shop.config']],
];

/**
 * What else check-layers enforces on imports, as import-linter forbidden contracts (direct imports
 * only, as check-layers' rules) and as tach's depends_on (internal modules only: tach does not check
 * imports of third-party packages). Keys are the importing module.
 */
const FORBIDDEN = {
  // LAY001 domain without HTTP, LAY003 ORM confined, LAY005-LAY007, LAY009 models import no other layer
  'shop.domain.factory': ['shop.http', 'fastapi', 'starlette'],
  'shop.domain.controllers': ['shop.http', 'fastapi', 'starlette', 'shop.domain.repositories', 'sqlalchemy'],
  'shop.domain.services': ['shop.http', 'fastapi', 'starlette', 'sqlalchemy'],
  'shop.domain.repositories': ['shop.http', 'fastapi', 'starlette', 'shop.domain.services', 'shop.domain.controllers'],
  'shop.domain.models': ['shop.http', 'fastapi', 'starlette', 'sqlalchemy', 'shop.domain.factory', 'shop.domain.controllers', 'shop.domain.services', 'shop.domain.repositories', 'shop.domain.errors', 'shop.config'],
  'shop.domain.errors': ['shop.http', 'fastapi', 'starlette', 'sqlalchemy'],
  'shop.http.routes': ['shop.domain.services', 'shop.domain.repositories', 'sqlalchemy'],
  'shop.http.schemas': ['sqlalchemy'],
  'shop.config': ['sqlalchemy'],
};

/** Real packages from PyPI and a layering that makes sense for each. */
const REAL = {
  django: {
    pip: ['django'],
    package: 'django',
    layout: [
      [['main', 'django.core.management']],
      [['routes', 'django.contrib'], ['http', 'django.views'], ['http', 'django.urls'], ['http', 'django.middleware'], ['http', 'django.http']],
      [['controllers', 'django.forms'], ['controllers', 'django.template']],
      [['repositories', 'django.db']],
      [['models', 'django.dispatch']],
      [['errors', 'django.core.exceptions']],
      [['logging', 'django.utils']],
      [['config', 'django.conf']],
    ],
  },
  transformers: {
    pip: ['transformers'],
    package: 'transformers',
    // every model family (transformers.models.bert, ...) is one service: LAY002 wants them independent
    layout: [
      [['main', 'transformers.cli']],
      [['routes', 'transformers.pipelines']],
      [['controllers', 'transformers.generation']],
      [['services', 'transformers.models']],
      [['repositories', 'transformers.integrations']],
      [['models', 'transformers.utils']],
    ],
  },
};

const tomlList = (items) => `[${items.map((item) => JSON.stringify(item)).join(', ')}]`;

function writeContracts(root, { package: pkg, sourceRoot, layout, forbidden, layeredLayers }) {
  // check-layers
  const layers = {};
  for (const level of layout) for (const [layer, module] of level) (layers[layer] ??= []).push(`${module}.**`);
  const pyproject = [
    '[project]',
    `name = "${pkg}-bench"`,
    'version = "0.1.0"',
    '',
    '[tool.layered]',
    `package = "${pkg}"`,
    `source-roots = ["${sourceRoot}"]`,
    'exclude = []',
    ...(layeredLayers ? [`layers = { ${Object.entries(layers).map(([name, patterns]) => `${name} = ${tomlList(patterns)}`).join(', ')} }`] : []),
    '',
  ];
  writeFileSync(join(root, 'pyproject.toml'), pyproject.join('\n'));
  // import-linter
  const ini = ['[importlinter]', `root_package = ${pkg}`, 'include_external_packages = True', '', '[importlinter:contract:layers]', 'name = layer order', 'type = layers', 'layers ='];
  for (const level of layout) ini.push(`    ${level.map(([, module]) => module).join(' : ')}`);
  for (const [source, targets] of Object.entries(forbidden ?? {})) {
    ini.push('', `[importlinter:contract:${source}]`, `name = ${source} imports none of ${targets.join(', ')}`, 'type = forbidden', `source_modules =\n    ${source}`);
    ini.push(`forbidden_modules =\n${targets.map((t) => `    ${t}`).join('\n')}`, 'allow_indirect_imports = True');
  }
  if (forbidden) ini.push('', '[importlinter:contract:services]', 'name = services are independent (LAY002)', 'type = independence', 'modules =\n    shop.domain.services.*');
  writeFileSync(join(root, '.importlinter'), `${ini.join('\n')}\n`);
  // tach: each module may depend on the levels below it and on its own level
  const tach = [`source_roots = ["${sourceRoot}"]`, 'exclude = []', 'exact = false', 'root_module = "ignore"', ''];
  layout.forEach((level, index) => {
    const allowed = layout.slice(index).flat().map(([, module]) => module);
    for (const [, module] of level) {
      const denied = new Set((forbidden ?? {})[module] ?? []);
      const dependsOn = allowed.filter((other) => other !== module && !denied.has(other) && ![...denied].some((d) => other.startsWith(`${d}.`)));
      tach.push('[[modules]]', `path = "${module}"`, `depends_on = ${tomlList(dependsOn)}`, '');
    }
  });
  writeFileSync(join(root, 'tach.toml'), tach.join('\n'));
}

// ---- corpora -----------------------------------------------------------------------------------------
function syntheticCorpus(size) {
  const root = join(values.dir, `synthetic-${size}`);
  const stamp = join(root, '.bench-stamp');
  const expected = `${size}:${readFileSync(join(here, 'generate-corpus.mjs'), 'utf-8').length}`;
  if (!existsSync(stamp) || readFileSync(stamp, 'utf-8') !== expected) {
    generateCorpus(root, size);
    writeFileSync(stamp, expected);
  }
  writeContracts(root, { package: 'shop', sourceRoot: 'src', layout: SYNTHETIC, forbidden: FORBIDDEN, layeredLayers: false });
  return { name: `synthetic ${size}`, root, pythonPath: join(root, 'src') };
}

function realCorpus(name) {
  const spec = REAL[name];
  if (!spec) fail(`unknown real corpus ${name}; known: ${Object.keys(REAL).join(', ')}`);
  const venv = environment(`corpus-${name}`, spec.pip, ['--no-deps']);
  const site = spawnSync(join(venv, 'bin', 'python'), ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { encoding: 'utf-8' }).stdout.trim();
  const version = spawnSync(join(venv, 'bin', 'python'), ['-c', `import importlib.metadata as m; print(m.version(${JSON.stringify(spec.pip[0])}))`], { encoding: 'utf-8' }).stdout.trim();
  const root = join(values.dir, `real-${name}`);
  const stamp = join(root, '.bench-stamp');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf-8') !== version) {
    rmSync(root, { recursive: true, force: true });
    mkdirSync(join(root, 'src'), { recursive: true });
    cpSync(join(site, spec.package), join(root, 'src', spec.package), { recursive: true, filter: (source) => !source.includes('__pycache__') });
    writeFileSync(stamp, version);
  }
  writeContracts(root, { package: spec.package, sourceRoot: 'src', layout: spec.layout, layeredLayers: true });
  return { name: `${name} ${version}`, root, pythonPath: join(root, 'src') };
}

// ---- measuring ---------------------------------------------------------------------------------------
const timeFile = join(tmpdir(), `layered-anchors-${process.pid}.time`);

/** Runs `command` under GNU time: CPU (user+sys of it and its children), wall, peak RSS; plus its output. */
function timed(command, args, options) {
  const child = spawnSync('/usr/bin/time', ['-f', '%U %S %e %M', '-o', timeFile, command, ...args], { encoding: 'utf-8', maxBuffer: 512 * 1024 * 1024, ...options });
  const [user, sys, wall, maxRssKb] = readFileSync(timeFile, 'utf-8').trim().split('\n').at(-1).split(' ').map(Number);
  return { cpu: user + sys, wall, rssMb: maxRssKb / 1024, status: child.status, stdout: child.stdout, stderr: child.stderr };
}

const TOOLS = {
  'check-layers': (corpus) => {
    const cacheDir = join(values.dir, 'check-layers-cache');
    rmSync(cacheDir, { recursive: true, force: true });
    const run = timed(process.execPath, [cli, corpus.root, '--format', 'json', '--cache-dir', cacheDir], { env: { ...process.env, LAYERED_DAEMON: '0' } });
    if (run.status !== 0 && run.status !== 1) throw new Error(`check-layers failed on ${corpus.root}:\n${run.stderr}`);
    return { ...run, findings: JSON.parse(run.stdout).findings.length };
  },
  'import-linter': (corpus) => {
    const run = timed(join(tools, 'bin', 'lint-imports'), ['--no-cache', '--no-logo', '.importlinter'], { cwd: corpus.root, env: { ...process.env, PYTHONPATH: corpus.pythonPath } });
    if (run.status !== 0 && run.status !== 1) throw new Error(`import-linter failed on ${corpus.root}:\n${run.stdout}\n${run.stderr}`);
    if (!/Contracts: \d+ kept, \d+ broken/.test(run.stdout)) throw new Error(`import-linter said:\n${run.stdout}\n${run.stderr}`);
    // one finding per reported import: "- a.b -> c.d (l.3)" (chains as "a -> b -> c", counted once)
    return { ...run, findings: run.stdout.split('\n').filter((line) => /^-\s+\S+ -> \S+/.test(line.trim())).length };
  },
  tach: (corpus) => {
    rmSync(join(corpus.root, '.tach'), { recursive: true, force: true });
    const run = timed(join(tools, 'bin', 'tach'), ['check', '--dependencies', '--output', 'json'], { cwd: corpus.root });
    if (run.status !== 0 && run.status !== 1) throw new Error(`tach failed on ${corpus.root}:\n${run.stdout}\n${run.stderr}`);
    return { ...run, findings: tachFindings(run.stdout) };
  },
};

function tachFindings(stdout) {
  const report = JSON.parse(stdout);
  const list = Array.isArray(report) ? report : (report.errors ?? report.diagnostics ?? []);
  return list.filter((item) => (item.severity ?? 'Error') === 'Error').length;
}

const median = (numbers) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)];

const corpora = [
  ...values.sizes.split(',').filter(Boolean).map(Number).map(syntheticCorpus),
  ...values.real.split(',').filter(Boolean).map(realCorpus),
];
const names = Object.keys(TOOLS);
const rows = [];
for (const corpus of corpora) {
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (let i = 0; i < runs; i++) {
    // alternate: each repetition starts with the next tool
    for (let k = 0; k < names.length; k++) {
      const name = names[(i + k) % names.length];
      samples[name].push(TOOLS[name](corpus));
    }
  }
  for (const name of names) {
    const s = samples[name];
    rows.push({ tool: `${name} ${versions[name]}`, corpus: corpus.name, cpu: median(s.map((x) => x.cpu)), wall: median(s.map((x) => x.wall)), rss: median(s.map((x) => x.rssMb)), findings: s[0].findings });
  }
  console.log(`${corpus.name}: done (${runs} alternating cold runs per tool)`);
}
rmSync(timeFile, { force: true });

console.log(`\nmedians of ${runs} cold runs, tools alternating\n`);
console.log('| tool | corpus | CPU s | wall s | peak MB | findings |');
console.log('|---|---|---:|---:|---:|---:|');
for (const row of rows) console.log(`| ${row.tool} | ${row.corpus} | ${row.cpu.toFixed(2)} | ${row.wall.toFixed(2)} | ${row.rss.toFixed(0)} | ${row.findings} |`);
