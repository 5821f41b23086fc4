import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REPO_ROOT } from './support/paths';
import { createWorkspace, runOrThrow, Workspace } from './support';

interface PackedFile {
  path: string;
  size: number;
}

interface CatalogEntry {
  factory?: string;
  implementation?: string;
  schema: string;
  aliases?: string[];
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf-8')) as T;
const version = readJson<{ version: string }>(path.join(REPO_ROOT, 'package.json')).version;

describe('the packed plugin (npm run pack)', () => {
  const tarball = inject('tarball');
  let files: PackedFile[];
  let manifest: Record<string, unknown>;

  beforeAll(async () => {
    // The same listing `npm publish` would upload, read from the tarball users install.
    const listing = await runOrThrow('npm', ['pack', '--dry-run', '--json', tarball], { cwd: path.dirname(tarball) });
    files = (JSON.parse(listing.stdout) as Array<{ files: PackedFile[] }>)[0].files;
    manifest = JSON.parse((await runOrThrow('tar', ['-xzOf', tarball, 'package/package.json'])).stdout) as Record<string, unknown>;
  });

  it('is named layered-<version>.tgz and reported with its path, size and install command', () => {
    const output = inject('packOutput');

    expect(path.basename(tarball)).toBe(`layered-${version}.tgz`);
    expect(output).toContain(`pack: ${tarball}: `);
    expect(output).toMatch(/: \d+ kB \(\d+ kB unpacked, \d+ files\)/);
    expect(output).toContain(`  npm i -D ${tarball}\n`);
  });

  it('holds no tests, specs or fixtures', () => {
    const testOnly = files.map((file) => file.path).filter((file) => /(^|\/)(__fixtures__|test-utils)\/|\.spec\.|(^|\/)e2e\/|(^|\/)bench\//.test(file));

    expect(testOnly).toEqual([]);
  });

  it('holds the compiled plugin, its templates, the grammar and the Nx catalogs', () => {
    const paths = new Set(files.map((file) => file.path));

    for (const file of ['package.json', 'LICENSE', 'README.md', 'generators.json', 'executors.json', 'src/index.js', 'src/index.d.ts', 'wasm/tree-sitter-python.wasm']) {
      expect(paths, file).toContain(file);
    }
    expect([...paths].filter((file) => file.startsWith('files/application/')).length).toBeGreaterThan(20);
    expect([...paths].filter((file) => file.startsWith('files/feature/')).length).toBeGreaterThan(5);
    expect([...paths].filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
  });

  it('lets Nx find every generator and executor it lists, compiled', () => {
    const paths = new Set(files.map((file) => file.path));
    const entries = [
      ...Object.values(readJson<{ generators: Record<string, CatalogEntry> }>(path.join(REPO_ROOT, 'generators.json')).generators),
      ...Object.values(readJson<{ executors: Record<string, CatalogEntry> }>(path.join(REPO_ROOT, 'executors.json')).executors),
    ];

    for (const entry of entries) {
      expect(paths).toContain(path.posix.normalize(`${entry.factory ?? entry.implementation}.js`));
      expect(paths).toContain(path.posix.normalize(entry.schema));
    }
  });

  it('has a manifest ready to publish', () => {
    expect(manifest).toMatchObject({
      name: 'layered',
      version,
      license: 'MIT',
      repository: { type: 'git', url: 'git+https://github.com/layered-dev/layered.git' },
      main: 'src/index.js',
      types: 'src/index.d.ts',
      generators: './generators.json',
      executors: './executors.json',
      engines: { node: expect.any(String) },
      peerDependencies: { nx: expect.any(String) },
    });
    expect(manifest.keywords).toEqual(expect.arrayContaining(['nx', 'nx-plugin', 'python', 'fastapi']));
    expect(manifest.files).toEqual(expect.arrayContaining(['src', 'files', 'wasm', 'generators.json', 'executors.json']));
    for (const key of ['devDependencies', 'scripts', 'private']) expect(manifest, key).not.toHaveProperty(key);
  });

  it('is the only thing publishable: the repository package.json is private', () => {
    expect(readJson<{ private?: boolean }>(path.join(REPO_ROOT, 'package.json')).private).toBe(true);
  });
});

describe('installing the plugin from a path to the clone', () => {
  let ws: Workspace;

  beforeAll(async () => {
    ws = await createWorkspace('path-install');
    await runOrThrow('npm', ['install', '--save-dev', '--no-fund', '--no-audit', '--loglevel=error', REPO_ROOT], { cwd: ws.root });
    await ws.commit('layered installed from the clone');
  });

  afterAll(() => ws?.remove());

  it.each([['application'], ['app']])('refuses `nx g layered:%s` with the tarball route and writes nothing', async (generator) => {
    const result = await ws.nx(['g', `layered:${generator}`, 'api', '--no-interactive']);

    expect(result.code).not.toBe(0);
    expect(result.output).toContain(`layered: ${REPO_ROOT} is a source checkout of layered, which Nx cannot load. Install the packed plugin instead:`);
    expect(result.output).toContain(`  cd ${REPO_ROOT} && npm run pack\n`);
    expect(result.output).toContain(`  npm i -D ${path.join(REPO_ROOT, `layered-${version}.tgz`)}\n`);
    expect(result.output).not.toContain('loadTsFile');
    expect(await ws.changes()).toBe('');
    expect(existsSync(path.join(ws.root, 'apps'))).toBe(false);
  });

  it('refuses the plugin itself once nx.json registers it', async () => {
    ws.write('nx.json', `${JSON.stringify({ plugins: ['layered'] }, null, 2)}\n`);

    const result = await ws.nx(['show', 'projects']);

    expect(result.code).not.toBe(0);
    expect(result.output).toContain('is a source checkout of layered');
    expect(result.output).toContain('npm run pack');
  });

  it('lists in the source checkout the same generators and executors as the package', () => {
    const names = (file: string, key: 'generators' | 'executors') =>
      Object.entries(readJson<Record<string, Record<string, CatalogEntry>>>(path.join(REPO_ROOT, file))[key])
        .map(([name, entry]) => [name, ...(entry.aliases ?? [])].join(','))
        .sort();

    expect(names('scripts/source-checkout/generators.json', 'generators')).toEqual(names('generators.json', 'generators'));
    expect(names('scripts/source-checkout/executors.json', 'executors')).toEqual(names('executors.json', 'executors'));
  });
});
