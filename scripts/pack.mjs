// `npm run pack`: builds the plugin into a temporary folder and packs it as layered-<version>.tgz,
// the file users install until the package is on the registry. The e2e setup and the demo
// install what this writes, so they prove what users install.
// Usage: node scripts/pack.mjs [--destination DIR]   (default: the repository root)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function destinationFrom(argv) {
  const index = argv.indexOf('--destination');
  if (index === -1) return root;
  if (!argv[index + 1]) throw new Error('pack: --destination needs a folder');
  return resolve(argv[index + 1]);
}

const kB = (bytes) => `${Math.round(bytes / 1000)} kB`;

const destination = destinationFrom(process.argv.slice(2));
const work = mkdtempSync(join(tmpdir(), 'layered-pack-'));
try {
  const dist = join(work, 'package');
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit', env: { ...process.env, LAYERED_DIST_DIR: dist } });
  process.stdout.write('pack: npm pack\n');
  const output = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], { cwd: dist, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'inherit'] });
  const [packed] = JSON.parse(output);
  const tarball = join(destination, packed.filename);
  process.stdout.write(
    [
      `pack: ${tarball}: ${kB(packed.size)} (${kB(packed.unpackedSize)} unpacked, ${packed.entryCount} files)`,
      'Install it in an Nx workspace (nx >= 24.0.6):',
      `  npm i -D ${tarball}`,
      '',
    ].join('\n'),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
