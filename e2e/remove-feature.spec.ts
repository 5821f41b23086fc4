import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appPython, createWorkspace, PythonRuntime, USER_ENV, Workspace } from './support';

const SOURCE = 'apps/api/src/api';
const WIRED = [`${SOURCE}/domain/factory.py`, `${SOURCE}/http/routes/__init__.py`, `${SOURCE}/domain/repositories/tables.py`, `${SOURCE}/domain/errors.py`];

describe('layered:remove-feature in a fresh Nx workspace', () => {
  let ws: Workspace;
  let python: PythonRuntime;

  const generate = (name: string, ...options: string[]) => ws.nx(['g', 'layered:feature', name, ...options, '--no-interactive']);
  const remove = (name: string, ...options: string[]) => ws.nx(['g', 'layered:remove-feature', name, ...options, '--no-interactive']);
  const modules = () => WIRED.map((file) => ws.read(file));

  beforeAll(async () => {
    ws = await createWorkspace('remove-feature');
    python = appPython(path.join(ws.root, 'apps/api'));
    const created = await ws.nx(['g', 'layered:application', 'api', '--no-interactive'], { env: USER_ENV });
    if (created.code !== 0) throw new Error(created.output);
    await ws.commit('generate api');
  });

  afterAll(() => ws?.remove());

  it('generate, then remove: the workspace is as it was, byte for byte', async () => {
    const app = modules();
    const generated = await generate('recipe', '--fields=title:str,servings:int=1', '--unique=title');
    expect(generated.code, generated.output).toBe(0);

    const result = await remove('recipe');

    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain('DELETE apps/api/src/api/domain/services/recipe.py');
    expect(result.stdout).toContain('UPDATE apps/api/src/api/domain/factory.py');
    expect(result.output).toMatch(/deleted the migration apps\/api\/migrations\/versions\/rev_[0-9a-f]{12}_create_recipes\.py \(git does not track it, no revision builds on it, and the local database has not applied it\)/);
    expect(modules()).toEqual(app);
    expect(await ws.changes()).toBe('');
    process.stdout.write(`[figure] nx g layered:remove-feature recipe: ${result.durationMs} ms wall\n`);
  });

  it('refuses an unknown feature, writing nothing', async () => {
    const result = await remove('dish');

    expect(result.code).not.toBe(0);
    expect(result.output).toContain('api has no feature "dish"');
    expect(await ws.changes()).toBe('');
  });

  describe('two committed features and hand edits to the shared modules', () => {
    let withRecipe: string[];
    // A comment in the router registry, an extra import (and its use) in the factory.
    const handEdit = (file: string, text: string): string =>
      file.endsWith('routes/__init__.py')
        ? text.replace('\nROUTERS', '\n# Every router of the app, in order.\nROUTERS')
        : file.endsWith('factory.py')
          ? text.replace('from dataclasses import dataclass\n', 'from dataclasses import dataclass\nfrom typing import Final\n').replace('\n\n@dataclass', '\n\nSHARED: Final = "hand-written"\n\n\n@dataclass')
          : text;

    beforeAll(async () => {
      for (const [name, fields] of [
        ['recipe', '--fields=title:str,servings:int=1'],
        ['ingredient', '--fields=label:str,grams:float?'],
      ]) {
        const result = await generate(name, fields, name === 'recipe' ? '--unique=title' : '--unique=none');
        if (result.code !== 0) throw new Error(result.output);
        if (name === 'recipe') withRecipe = modules();
      }
      for (const file of WIRED) ws.write(file, handEdit(file, ws.read(file)));
      await ws.commit('two features, hand edits');
    });

    it('--dry-run writes nothing', async () => {
      const result = await remove('ingredient', '--dry-run');

      expect(result.code, result.output).toBe(0);
      expect(result.stdout).toContain('DELETE apps/api/src/api/domain/services/ingredient.py');
      expect(await ws.changes()).toBe('');
    });

    it('removes ingredient, keeping recipe and the hand edits, and drops its committed table with a new revision', async () => {
      const result = await remove('ingredient');

      expect(result.code, result.output).toBe(0);
      expect(result.output).toMatch(
        /kept the migration apps\/api\/migrations\/versions\/rev_[0-9a-f]{12}_create_ingredients\.py \(git tracks it, so a database may have applied it\) and wrote apps\/api\/migrations\/versions\/rev_[0-9a-f]{12}_drop_ingredients\.py, which drops the ingredients table/,
      );
      // Byte-identical to the app with recipe alone, hand edits included.
      expect(modules()).toEqual(WIRED.map((file, i) => handEdit(file, withRecipe[i])));
      expect(modules()[0]).toContain('SHARED: Final = "hand-written"');
      expect(modules()[1]).toContain('# Every router of the app, in order.\nROUTERS');
    });

    it('passes the remaining feature through `nx run api:test` and `nx run api:check-layers`', async () => {
      const tests = await ws.nx(['run', 'api:test', '--skip-nx-cache'], { env: USER_ENV });
      expect(tests.code, tests.output).toBe(0);
      expect(tests.output).toMatch(/test_recipe_http\.py|\d+ passed/);
      expect(tests.output).not.toMatch(/ingredient/);

      const layers = await ws.nx(['run', 'api:check-layers', '--skip-nx-cache', '--outputStyle=static']);
      expect(layers.code, layers.output).toBe(0);
      expect(layers.output).toContain('check-layers: no findings');
    });

    it('migrates through the drop revision up to head and back down to base on SQLite', async () => {
      const env = { ...process.env, API_DATABASE_URL: `sqlite+aiosqlite:///${path.join(ws.root, 'removed.db')}` };
      for (const args of [['upgrade', 'head'], ['downgrade', 'base']]) {
        const result = await python.run(['-m', 'alembic', ...args], { cwd: path.join(ws.root, 'apps/api'), env });
        expect(result.code, result.output).toBe(0);
      }
    });
  });
});
