import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { TestProject } from 'vitest/node';
import { E2E_TMP, NX_VERSION, REPO_ROOT } from './paths';
import { runOrThrow } from './process';
import { resolvePythonRuntime } from './python';

declare module 'vitest' {
  export interface ProvidedContext {
    tarball: string;
    /** What `npm run pack` printed: the tarball's path, size and install line. */
    packOutput: string;
    seedWorkspace: string;
    python: string;
    pythonKind: 'uv';
  }
}

function log(message: string): void {
  process.stdout.write(`[e2e setup] ${message}\n`);
}

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  log(`${label} ...`);
  const result = await work();
  log(`${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

/** Builds and packs the plugin, installs it with nx into a seed workspace, finds Python. */
export default async function setup(project: TestProject): Promise<void> {
  rmSync(E2E_TMP, { recursive: true, force: true });
  const packDir = path.join(E2E_TMP, 'pack');
  mkdirSync(packDir, { recursive: true });

  // `npm run pack` itself, so the suite installs exactly what users install.
  let packOutput = '';
  const tarball = await timed('npm run pack (scripts/pack.mjs)', async () => {
    packOutput = (await runOrThrow(process.execPath, [path.join(REPO_ROOT, 'scripts/pack.mjs'), '--destination', packDir], { cwd: REPO_ROOT })).stdout;
    const packed = readdirSync(packDir).find((file) => file.endsWith('.tgz'));
    if (!packed) throw new Error(`scripts/pack.mjs wrote no tarball into ${packDir}`);
    return path.join(packDir, packed);
  });

  const seedWorkspace = path.join(E2E_TMP, 'seed-workspace');
  await timed(`install nx@${NX_VERSION} and the tarball into a fresh workspace`, async () => {
    mkdirSync(seedWorkspace, { recursive: true });
    writeFileSync(path.join(seedWorkspace, 'package.json'), `${JSON.stringify({ name: 'e2e-workspace', version: '0.0.0', private: true }, null, 2)}\n`);
    writeFileSync(path.join(seedWorkspace, 'nx.json'), `${JSON.stringify({ $schema: './node_modules/nx/schemas/nx-schema.json' }, null, 2)}\n`);
    writeFileSync(path.join(seedWorkspace, '.gitignore'), 'node_modules\n.nx\n');
    await runOrThrow('npm', ['install', '--save-dev', '--no-fund', '--no-audit', `nx@${NX_VERSION}`, tarball], { cwd: seedWorkspace });
  });

  const python = await timed('resolve the Python runtime', resolvePythonRuntime);
  log(`python: ${python.python} (${python.kind})`);

  project.provide('tarball', tarball);
  project.provide('packOutput', packOutput);
  project.provide('seedWorkspace', seedWorkspace);
  project.provide('python', python.python);
  project.provide('pythonKind', python.kind);
}
