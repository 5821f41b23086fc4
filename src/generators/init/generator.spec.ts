import { readNxJson, TargetConfiguration, Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { initGenerator } from './generator';

describe('init generator', () => {
  let tree: Tree;

  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
  });

  it('registers the plugin with its check-layers target name', async () => {
    await initGenerator(tree, { skipFormat: true });

    expect(readNxJson(tree)?.plugins).toContainEqual({ plugin: 'layered', options: { checkLayersTargetName: 'check-layers' } });
  });

  it('adds cached target defaults for explicit check-layers targets, leaving inputs to the plugin', async () => {
    await initGenerator(tree, { skipFormat: true });

    const defaults = readNxJson(tree)?.targetDefaults?.['layered:check-layers'] as Partial<TargetConfiguration>;
    expect(defaults?.cache).toBe(true);
    expect(defaults?.inputs).toBeUndefined();
    expect(defaults?.outputs).toEqual(['{options.outputFile}', '{options.graph}']);
  });

  it('adds Python entries to .gitignore once', async () => {
    tree.write('.gitignore', 'node_modules\n__pycache__/');
    await initGenerator(tree, { skipFormat: true });

    const lines = tree.read('.gitignore', 'utf-8')!.split('\n');
    expect(lines.filter((line) => line === '__pycache__/')).toHaveLength(1);
    expect(lines).toContain('.venv/');
    expect(lines[0]).toBe('node_modules');
  });

  it('ignores .env, where the README has machine-specific values such as LAYERED_PYTHON go', async () => {
    await initGenerator(tree, { skipFormat: true });
    const lines = tree.read('.gitignore', 'utf-8')!.split('\n');
    expect(lines).toContain('.env');
    expect(lines).toContain('.env.local');
  });

  it('changes nothing when run a second time', async () => {
    await initGenerator(tree, { skipFormat: true });
    const nxJson = tree.read('nx.json', 'utf-8');
    const gitignore = tree.read('.gitignore', 'utf-8');

    await initGenerator(tree, { skipFormat: true });

    expect(tree.read('nx.json', 'utf-8')).toBe(nxJson);
    expect(tree.read('.gitignore', 'utf-8')).toBe(gitignore);
  });

  it('keeps a plugin entry the user already customised', async () => {
    const nxJson = readNxJson(tree)!;
    nxJson.plugins = [{ plugin: 'layered', options: { checkLayersTargetName: 'layers' } }];
    tree.write('nx.json', JSON.stringify(nxJson));

    await initGenerator(tree, { skipFormat: true });

    expect(readNxJson(tree)?.plugins).toEqual([{ plugin: 'layered', options: { checkLayersTargetName: 'layers' } }]);
  });
});
