// Builds the publishable package into dist/: compiled JS, schemas, templates, the Python grammar.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// LAYERED_DIST_DIR lets concurrent runs (e2e setups, the demo) build without racing on dist/.
const dist = process.env.LAYERED_DIST_DIR ? resolve(process.env.LAYERED_DIST_DIR) : join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', dist], { stdio: 'inherit' });

function copyMatching(from, predicate) {
  for (const entry of readdirSync(from)) {
    const path = join(from, entry);
    if (statSync(path).isDirectory()) copyMatching(path, predicate);
    else if (predicate(path)) {
      const target = join(dist, relative(root, path));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(path, target);
    }
  }
}
copyMatching(join(root, 'src'), (path) => path.endsWith('.json') || path.endsWith('.md'));
cpSync(join(root, 'files'), join(dist, 'files'), { recursive: true });
for (const file of ['generators.json', 'executors.json', 'README.md', 'LICENSE']) {
  if (existsSync(join(root, file))) cpSync(join(root, file), join(dist, file));
}
mkdirSync(join(dist, 'wasm'), { recursive: true });
cpSync(join(root, 'node_modules/tree-sitter-python/tree-sitter-python.wasm'), join(dist, 'wasm/tree-sitter-python.wasm'));

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf-8'));
delete pkg.devDependencies;
delete pkg.scripts;
pkg.files = ['src', 'files', 'wasm', 'generators.json', 'executors.json', 'README.md', 'LICENSE'];
writeFileSync(join(dist, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
console.log(`built ${pkg.name}@${pkg.version} into ${relative(process.cwd(), dist) || '.'}`);
