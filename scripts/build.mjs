// Builds the publishable package into dist/: compiled JS, schemas, templates, the Python grammar.
// `npm run pack` (scripts/pack.mjs) builds with this into a temporary folder and packs that.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// LAYERED_DIST_DIR lets concurrent runs (e2e setups, the demo) build without racing on dist/.
const dist = process.env.LAYERED_DIST_DIR ? resolve(process.env.LAYERED_DIST_DIR) : join(root, 'dist');
// Test-only folders under src/ never ship.
const TEST_ONLY = new Set(['__fixtures__', 'test-utils']);

function step(title, work) {
  const started = Date.now();
  process.stdout.write(`build: ${title} ...`);
  try {
    work();
  } catch (error) {
    process.stdout.write(' failed\n');
    throw error;
  }
  process.stdout.write(` ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

function copyMatching(from, predicate) {
  for (const entry of readdirSync(from)) {
    const path = join(from, entry);
    if (statSync(path).isDirectory()) {
      if (!TEST_ONLY.has(entry)) copyMatching(path, predicate);
    } else if (predicate(path)) {
      const target = join(dist, relative(root, path));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(path, target);
    }
  }
}

const started = Date.now();
rmSync(dist, { recursive: true, force: true });
step('compile TypeScript (tsc -p tsconfig.build.json)', () => {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', dist], { stdio: 'inherit' });
});
step('copy schemas, templates and the tree-sitter grammar', () => {
  copyMatching(join(root, 'src'), (path) => path.endsWith('.json') || path.endsWith('.md'));
  cpSync(join(root, 'files'), join(dist, 'files'), { recursive: true });
  for (const file of ['generators.json', 'executors.json', 'README.md', 'LICENSE']) {
    if (existsSync(join(root, file))) cpSync(join(root, file), join(dist, file));
  }
  mkdirSync(join(dist, 'wasm'), { recursive: true });
  cpSync(join(root, 'node_modules/tree-sitter-python/tree-sitter-python.wasm'), join(dist, 'wasm/tree-sitter-python.wasm'));
});

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf-8'));
step('write package.json', () => {
  // The repository's package.json points Nx at scripts/source-checkout/ (a path install is
  // refused there); the built package points at the compiled plugin.
  delete pkg.devDependencies;
  delete pkg.scripts;
  delete pkg.private;
  Object.assign(pkg, {
    main: 'src/index.js',
    types: 'src/index.d.ts',
    generators: './generators.json',
    executors: './executors.json',
    files: ['src', 'files', 'wasm', 'generators.json', 'executors.json', 'README.md', 'LICENSE'],
  });
  writeFileSync(join(dist, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
});
console.log(`build: ${pkg.name}@${pkg.version} built into ${relative(process.cwd(), dist) || '.'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
