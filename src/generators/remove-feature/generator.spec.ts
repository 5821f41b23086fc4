import { logger, Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { formatPython, lintPython, readRuffSettings } from '../../python/format';
import { applicationGenerator } from '../application/generator';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { wireProjectModules } from '../../python/wire-modules';
import { wireFeatureIntoFactory } from '../../python/wiring';
import { featureGenerator, featureWiring, normalizeOptions } from '../feature/generator';
import { appliedInDatabase, removeFeatureGenerator } from './generator';
import { treeFiles } from '../test-utils/tree-files';

const ROOT = 'apps/api';
const SESSION_SCOPE_TEMPLATE = path.join(__dirname, '..', '..', '..', 'files', 'feature-support', 'src', '__packageName__', 'domain', 'repositories', 'session_scope.py.template');
const RECIPE = { name: 'recipe', fields: 'title:str,servings:int=1,notes:str?,tags:list[str]', unique: 'title', skipFormat: true };
const INGREDIENT = { name: 'ingredient', fields: 'label:str,grams:float?', skipFormat: true };
const WIRED = ['src/api/domain/errors.py', 'src/api/domain/factory.py', 'src/api/domain/repositories/tables.py', 'src/api/http/routes/__init__.py'];

function files(tree: Tree, root = ROOT): Map<string, string> {
  return treeFiles(tree, root);
}

function differences(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...new Set([...before.keys(), ...after.keys()])].filter((path) => before.get(path) !== after.get(path)).sort();
}

function pick(all: Map<string, string>, paths: string[]): Record<string, string | undefined> {
  return Object.fromEntries(paths.map((path) => [path, all.get(path)]));
}

async function refusal(run: Promise<unknown>): Promise<string> {
  const error = await run.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(Error);
  return (error as Error).message;
}

describe('remove-feature generator', () => {
  let tree: Tree;
  let app: Map<string, string>;
  let info: string[];

  beforeEach(async () => {
    tree = createTreeWithEmptyWorkspace();
    await applicationGenerator(tree, { name: 'api', skipFormat: true });
    app = files(tree);
    info = [];
    vi.spyOn(logger, 'info').mockImplementation((line: unknown) => void info.push(String(line)));
  });

  it('records each generated feature in .layered-features/<name>.json', async () => {
    await featureGenerator(tree, RECIPE);
    const manifest = JSON.parse(tree.read(`${ROOT}/.layered-features/recipe.json`, 'utf-8')!);
    expect(manifest).toMatchObject({
      layered: 2,
      name: 'recipe',
      fields: 'title:str,servings:int=1,notes:str?,tags:list[str]',
      operations: 'create,get,list,update,delete',
      plural: 'recipes',
      unique: 'title',
      revision: expect.stringMatching(/^[0-9a-f]{12}$/),
    });
    expect(Object.keys(manifest.files)).toContain('src/api/domain/services/recipe.py');
    expect(Object.keys(manifest.files)).toContain(`migrations/versions/rev_${manifest.revision}_create_recipes.py`);
    expect(Object.keys(manifest.files)).toHaveLength(12);
  });

  it('app + recipe + ingredient, remove ingredient: byte-identical to app + recipe; remove recipe: byte-identical to the app', async () => {
    await featureGenerator(tree, RECIPE);
    const withRecipe = files(tree);
    await featureGenerator(tree, INGREDIENT);

    await removeFeatureGenerator(tree, { name: 'ingredient' });
    expect(differences(withRecipe, files(tree))).toEqual([]);

    await removeFeatureGenerator(tree, { name: 'recipe' });
    expect(differences(app, files(tree))).toEqual([]);
    expect(info.join('\n')).toMatch(/deleted the migration apps\/api\/migrations\/versions\/rev_[0-9a-f]{12}_create_recipes\.py \(git does not track it, no revision builds on it, and the local database has not applied it\)/);
    expect(info.join('\n')).toContain('removing exactly what layered:feature inserted');
    const recipeRevision = /^revision: str = "([0-9a-f]+)"$/m.exec([...withRecipe].find(([path]) => path.endsWith('_create_recipes.py'))![1])![1];
    expect(info.join('\n')).toContain(`A database that applied revision ${/rev_([0-9a-f]{12})_create_ingredients/.exec(info.join('\n'))![1]} needs it: restore the file, run \`nx run api:migrate-down -- ${recipeRevision}\` there`);
  });

  it('remove recipe first, then ingredient: the wired modules are byte-identical to the app; the applied migrations stay and new ones drop the tables', async () => {
    await featureGenerator(tree, RECIPE);
    await featureGenerator(tree, INGREDIENT);
    const both = files(tree);
    const revisionOf = (suffix: string): string => /^revision: str = "([0-9a-f]+)"$/m.exec([...both].find(([path]) => path.endsWith(suffix))![1])![1];
    const recipeRevision = revisionOf('_create_recipes.py');
    const ingredientRevision = revisionOf('_create_ingredients.py');

    await removeFeatureGenerator(tree, { name: 'recipe' });
    const afterRecipe = files(tree);
    const drops = [...afterRecipe.keys()].filter((path) => /_drop_recipes\.py$/.test(path));
    expect(drops).toHaveLength(1);
    const drop = afterRecipe.get(drops[0])!;
    expect(drop).toContain(`down_revision: str | None = "${ingredientRevision}"\n`);
    expect(drop).toMatch(/def upgrade\(\) -> None:\n {4}op\.drop_index\([^)]*\)[\s\S]*op\.drop_table\("recipes"\)\n\n\n/);
    expect(drop).toMatch(/def downgrade\(\) -> None:\n {4}op\.create_table\(\n {8}"recipes",[\s\S]*sa\.UniqueConstraint\("title"/);
    const settings = readRuffSettings(tree, ROOT);
    expect(formatPython(drop, settings)).toBe(drop);
    expect(lintPython(drop, settings)).toEqual([]);
    expect(afterRecipe.has(`migrations/versions/rev_${recipeRevision}_create_recipes.py`)).toBe(true);
    expect(info.join('\n')).toContain(`(revision ${ingredientRevision} builds on it) and wrote apps/api/${drops[0]}, which drops the recipes table (its downgrade recreates it)`);

    await removeFeatureGenerator(tree, { name: 'ingredient' });
    const after = files(tree);
    expect(pick(after, WIRED)).toEqual(pick(app, WIRED));
    // Only migrations differ from the app: the two create revisions kept, and two drops.
    expect(differences(app, after).map((path) => path.replace(/rev_[0-9a-f]{12}_/, 'rev_*_')).sort()).toEqual([
      'migrations/versions/rev_*_create_ingredients.py',
      'migrations/versions/rev_*_create_recipes.py',
      'migrations/versions/rev_*_drop_ingredients.py',
      'migrations/versions/rev_*_drop_recipes.py',
    ]);
  });

  it('removes a feature recorded in format 1, whose list read on sessions of its own: SessionScoped and session_scope.py go too', async () => {
    // Format 1 wired the controller with SessionScoped(...).open and wrote session_scope.py.
    const factory = `${ROOT}/src/api/domain/factory.py`;
    const options = normalizeOptions(tree, { name: 'recipe', fields: RECIPE.fields, unique: RECIPE.unique });
    const settings = readRuffSettings(tree, ROOT);
    const aged = await wireProjectModules(tree, ROOT, [[factory, wireFeatureIntoFactory]], featureWiring(options, true), settings);
    tree.write(factory, aged.get(factory)!);
    tree.write(`${ROOT}/src/api/domain/repositories/session_scope.py`, formatPython(readFileSync(SESSION_SCOPE_TEMPLATE, 'utf-8'), settings));
    await featureGenerator(tree, RECIPE);
    expect(tree.read(factory, 'utf-8')).toContain('SessionScoped(');
    const manifestFile = `${ROOT}/.layered-features/recipe.json`;
    const { wiring: _recorded, ...manifest } = JSON.parse(tree.read(manifestFile, 'utf-8')!) as Record<string, unknown>;
    tree.write(manifestFile, JSON.stringify({ ...manifest, layered: 1 }));

    await removeFeatureGenerator(tree, { name: 'recipe' });

    const after = files(tree);
    expect(pick(after, WIRED)).toEqual(pick(app, WIRED));
    expect(after.has('src/api/domain/repositories/session_scope.py')).toBe(false);
  });

  it('refuses a manifest of a format it does not know, naming the file, writing nothing', async () => {
    await featureGenerator(tree, RECIPE);
    const manifestFile = `${ROOT}/.layered-features/recipe.json`;
    tree.write(manifestFile, tree.read(manifestFile, 'utf-8')!.replace('"layered": 2', '"layered": 3'));
    const before = files(tree);
    expect(await refusal(removeFeatureGenerator(tree, { name: 'recipe' }))).toContain(`${manifestFile}:1: expected "layered": 2`);
    expect(differences(before, files(tree))).toEqual([]);
  });

  it('keeps hand edits to the shared modules (a comment, an extra import) and the names they still use', async () => {
    await featureGenerator(tree, RECIPE);
    const router = `${ROOT}/src/api/http/routes/__init__.py`;
    const factory = `${ROOT}/src/api/domain/factory.py`;
    tree.write(router, tree.read(router, 'utf-8')!.replace('ROUTERS', '# Every router of the app.\nROUTERS'));
    tree.write(factory, tree.read(factory, 'utf-8')!.replace('from dataclasses import dataclass\n', 'from dataclasses import dataclass\nimport os  # hand-added\n'));
    const edited = files(tree);

    await removeFeatureGenerator(tree, { name: 'recipe' });

    const after = files(tree);
    for (const path of ['src/api/http/routes/__init__.py', 'src/api/domain/factory.py']) {
      expect(after.get(path)).toBe(
        app
          .get(path)!
          .replace('ROUTERS', '# Every router of the app.\nROUTERS')
          .replace('from dataclasses import dataclass\n', 'from dataclasses import dataclass\nimport os  # hand-added\n'),
      );
    }
    expect(edited.get('src/api/http/routes/__init__.py')).toContain('health, recipe');
    expect(after.get('src/api/http/routes/__init__.py')).toContain('from api.http.routes import health\n');
  });

  it('refuses to delete hand-edited slice files, listing them, and writes nothing; --force deletes them', async () => {
    await featureGenerator(tree, RECIPE);
    const service = `${ROOT}/src/api/domain/services/recipe.py`;
    tree.write(service, `${tree.read(service, 'utf-8')}\n# mine\n`);
    const test = `${ROOT}/tests/test_recipe_http.py`;
    tree.write(test, `${tree.read(test, 'utf-8')}\n# mine too\n`);
    const before = files(tree);

    const message = await refusal(removeFeatureGenerator(tree, { name: 'recipe' }));

    expect(message).toBe(
      `layered:remove-feature would delete 2 file(s) edited since layered:feature generated them:\n  - ${service}\n  - ${test}\nNothing was written. Keep your changes elsewhere, or run again with --force to delete them.`,
    );
    expect(differences(before, files(tree))).toEqual([]);

    await removeFeatureGenerator(tree, { name: 'recipe', force: true });
    expect(differences(app, files(tree))).toEqual([]);
    expect(info.join('\n')).toContain(`--force deleted 2 edited file(s): ${service}, ${test}.`);
  });

  it.each([
    ['an unknown feature', { name: 'dish' }, 'api has no feature "dish": there is no apps/api/.layered-features/dish.json, where layered:feature records what it generates. Features recorded in api: recipe.'],
    ['a reserved name', { name: 'health' }, '"health" cannot name a feature: the app already has a module called health. Choose another name.'],
    ['a name Python cannot import', { name: 'class' }, '"class" cannot name a feature'],
    ['an empty name', { name: ' ' }, 'The feature name is empty.'],
    ['a project that is not a layered app', { name: 'recipe', project: 'web' }, 'Project "web" is not a layered backend (its pyproject.toml has no [tool.layered] table).'],
    ['a project that does not exist', { name: 'recipe', project: 'nope' }, 'There is no project "nope". Layered projects here: api.'],
  ])('refuses %s, writing nothing', async (_label, schema, expected) => {
    await featureGenerator(tree, RECIPE);
    tree.write('apps/web/project.json', JSON.stringify({ name: 'web', root: 'apps/web' }));
    tree.write('apps/web/pyproject.toml', '[project]\nname = "web"\n');
    const before = files(tree, 'apps');

    const message = await refusal(removeFeatureGenerator(tree, schema));

    expect(message).toContain(expected);
    expect(differences(before, files(tree, 'apps'))).toEqual([]);
  });

  it('refuses a shared module CPython rejects, naming its line, and writes nothing', async () => {
    await featureGenerator(tree, RECIPE);
    const errors = `${ROOT}/src/api/domain/errors.py`;
    tree.write(errors, `${tree.read(errors, 'utf-8')}\nprint "legacy"\n`);
    const line = tree.read(errors, 'utf-8')!.split('\n').indexOf('print "legacy"') + 1;
    const before = files(tree);

    const message = await refusal(removeFeatureGenerator(tree, { name: 'recipe' }));

    expect(message).toMatch(new RegExp(`^apps/api/src/api/domain/errors\\.py:${line}: .*\\(SyntaxError, CPython 3\\.\\d+\\.\\d+\\)\\. layered edits only modules Python can import`));
    expect(message).toContain('Nothing was written.');
    expect(differences(before, files(tree))).toEqual([]);
  });

  it('refuses a router registry that is no longer a literal, naming its line, and writes nothing', async () => {
    await featureGenerator(tree, RECIPE);
    const router = `${ROOT}/src/api/http/routes/__init__.py`;
    const text = tree.read(router, 'utf-8')!;
    const wrapped = text.replace(/^(ROUTERS[^=]*= )(\([\s\S]*?\))$/m, '$1tuple([$2][0])');
    tree.write(router, wrapped);
    const line = wrapped.split('\n').findIndex((l) => l.startsWith('ROUTERS')) + 1;
    const before = files(tree);

    const message = await refusal(removeFeatureGenerator(tree, { name: 'recipe' }));

    expect(message).toMatch(new RegExp(`^apps/api/src/api/http/routes/__init__\\.py:${line}: expected ROUTERS to be assigned a tuple or list literal to remove recipe\\.router from`));
    expect(differences(before, files(tree))).toEqual([]);
  });

  it('refuses to drop a table when the migrations have several heads, writing nothing', async () => {
    await featureGenerator(tree, RECIPE);
    await featureGenerator(tree, INGREDIENT);
    const recipe = [...files(tree)].find(([path]) => path.endsWith('_create_recipes.py'))![1];
    const recipeRevision = /^revision: str = "([0-9a-f]+)"$/m.exec(recipe)![1];
    tree.write(`${ROOT}/migrations/versions/rev_0000_branch.py`, `revision = "0000branch"\ndown_revision = "${recipeRevision}"\n`);
    const before = files(tree);

    const message = await refusal(removeFeatureGenerator(tree, { name: 'recipe' }));

    expect(message).toMatch(/^apps\/api\/migrations\/versions has several Alembic heads \(0000branch, [0-9a-f]{12}\); the revision that drops recipes needs one to follow\. Merge them first \(alembic merge heads\), then run again\. Nothing was written\.$/);
    expect(differences(before, files(tree))).toEqual([]);
  });

  it('counts a revision as applied when the local SQLite database is at it or at a revision built on it', () => {
    const revisions = new Map([
      ['aaaaaaaaaaaa', { downRevisions: [] }],
      ['bbbbbbbbbbbb', { downRevisions: ['aaaaaaaaaaaa'] }],
      ['cccccccccccc', { downRevisions: ['bbbbbbbbbbbb'] }],
    ]);
    const database = (head: string) => Buffer.from(`SQLite format 3\0...alembic_version...${head}\0`, 'latin1');
    expect(appliedInDatabase(database('cccccccccccc'), 'bbbbbbbbbbbb', revisions)).toBe(true);
    expect(appliedInDatabase(database('bbbbbbbbbbbb'), 'bbbbbbbbbbbb', revisions)).toBe(true);
    expect(appliedInDatabase(database('aaaaaaaaaaaa'), 'bbbbbbbbbbbb', revisions)).toBe(false);
    expect(appliedInDatabase(null, 'bbbbbbbbbbbb', revisions)).toBe(false);
  });
});
