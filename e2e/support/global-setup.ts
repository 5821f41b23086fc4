import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { TestProject } from 'vitest/node';
import { E2E_TMP, NX_VERSION, REPO_ROOT } from './paths';
import { runOrThrow } from './process';
import { resolvePythonRuntime } from './python';

declare module 'vitest' {
  export interface ProvidedContext {
    tarball: string;
    seedWorkspace: string;
    python: string;
    pythonKind: 'env' | 'uv' | 'debian-root';
  }
}

function log(message: string): void {
  process.stdout.write(`[e2e setup] ${message}\n`);
}

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await work();
  log(`${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

/** Builds and packs the plugin, installs it with nx into a seed workspace, finds Python. */
export default async function setup(project: TestProject): Promise<void> {
  rmSync(E2E_TMP, { recursive: true, force: true });
  const packDir = path.join(E2E_TMP, 'pack');
  mkdirSync(packDir, { recursive: true });

  const tarball = await timed('build and npm pack the plugin', async () => {
    const dist = path.join(E2E_TMP, 'dist');
    await runOrThrow(process.execPath, [path.join(REPO_ROOT, 'scripts/build.mjs')], { cwd: REPO_ROOT, env: { ...process.env, LAYERED_DIST_DIR: dist } });
    await runOrThrow('npm', ['pack', '--pack-destination', packDir], { cwd: dist });
    const packed = readdirSync(packDir).find((file) => file.endsWith('.tgz'));
    if (!packed) throw new Error(`npm pack wrote no tarball into ${packDir}`);
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
  project.provide('seedWorkspace', seedWorkspace);
  project.provide('python', python.python);
  project.provide('pythonKind', python.kind);
}
