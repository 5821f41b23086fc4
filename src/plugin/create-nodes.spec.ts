import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { CreateNodesContext } from '@nx/devkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodes } from './create-nodes';

const workspaces: string[] = [];
function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'layered-nodes-'));
  workspaces.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}
afterEach(() => workspaces.splice(0).forEach((root) => rmSync(root, { recursive: true, force: true })));

async function infer(root: string, files: string[], options?: { checkLayersTargetName?: string }) {
  const context = { workspaceRoot: root, nxJsonConfiguration: {} } as CreateNodesContext;
  return Object.fromEntries((await createNodes[1](files, options, context)).map(([file, result]) => [file, result]));
}

describe('createNodes', () => {
  it('matches pyproject.toml files anywhere', () => {
    expect(createNodes[0]).toBe('**/pyproject.toml');
  });

  it('gives projects with a [tool.layered] table a cached check-layers target, and no one else', async () => {
    const root = workspace({
      'apps/api/pyproject.toml': '[project]\nname = "api-service"\n\n[tool.layered]\npackage = "api"\n',
      'apps/api/project.json': '{"name": "api"}',
      'libs/plain/pyproject.toml': '[project]\nname = "plain"\n',
      'apps/other/pyproject.toml': '[project]\nname = "other-app"\n[tool.layered]\nbaseline = "ratchet.json"\n',
    });
    const results = await infer(root, ['apps/api/pyproject.toml', 'libs/plain/pyproject.toml', 'apps/other/pyproject.toml'], { checkLayersTargetName: 'architecture' });
    expect(results['libs/plain/pyproject.toml']).toEqual({});
    const api = results['apps/api/pyproject.toml'].projects?.['apps/api'];
    expect(api?.name).toBeUndefined(); // project.json names it
    expect(api?.targets?.architecture).toEqual({
      executor: 'layered:check-layers',
      cache: true,
      inputs: ['{projectRoot}/**/*.py', '{projectRoot}/pyproject.toml', '{projectRoot}/layered-baseline.json', { externalDependencies: ['layered'] }],
      outputs: ['{options.outputFile}', '{options.graph}'],
      options: { outputFile: 'apps/api/.layered/check-layers.sarif', graph: 'apps/api/.layered/layers.mmd' },
      metadata: expect.objectContaining({ technologies: ['python'] }),
    });
    const other = results['apps/other/pyproject.toml'].projects?.['apps/other'];
    expect(other?.name).toBe('other-app');
    expect(other?.targets?.architecture.inputs).toContain('{projectRoot}/ratchet.json');
  });

  it('uses check-layers as the default target name', async () => {
    const root = workspace({ 'pyproject.toml': '[tool.layered]\n' });
    const results = await infer(root, ['pyproject.toml']);
    expect(Object.keys(results['pyproject.toml'].projects?.['.']?.targets ?? {})).toEqual(['check-layers']);
  });
});
