import { logger, Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { formatPython, lintPython, readRuffSettings } from '../../python/format';
import { applicationGenerator } from '../application/generator';
import { featureGenerator, normalizeOptions } from './generator';
import { treeFiles } from '../test-utils/tree-files';

const ROOT = 'apps/api';
const RECIPE_FIELDS = 'title:str,servings:int=1,notes:str?,tags:list[str],published_on:date';
const MANY_FIELDS =
  'label:str,count:int,ratio:float,active:bool=true,price:Decimal=1.50,born_on:date?,seen_at:datetime,ref:UUID,aliases:list[str]=[],memo:str?,maybe_at:datetime?,more:list[str]?';

const RECIPE_FILES = [
  'src/api/domain/controllers/recipe.py',
  'src/api/domain/models/recipe.py',
  'src/api/domain/repositories/recipe.py',
  'src/api/domain/services/recipe.py',
  'src/api/http/routes/recipe.py',
  'src/api/http/schemas/recipe.py',
  'tests/recipe_samples.py',
  'tests/test_recipe_controller.py',
  'tests/test_recipe_http.py',
  'tests/test_recipe_repository.py',
  'tests/test_recipe_service.py',
];

function files(tree: Tree, root = ROOT): Map<string, string> {
  return treeFiles(tree, root);
}

function changedPaths(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after.keys()].filter((path) => before.get(path) !== after.get(path)).sort();
}

describe('feature generator', () => {
  let tree: Tree;

  beforeEach(async () => {
    tree = createTreeWithEmptyWorkspace();
    await applicationGenerator(tree, { name: 'api', skipFormat: true });
  });

  it('writes the slice in every layer, one migration, and edits exactly the four shared modules', async () => {
    const before = files(tree);
    await featureGenerator(tree, { name: 'recipe', fields: RECIPE_FIELDS, skipFormat: true });
    const after = files(tree);

    const added = [...after.keys()].filter((path) => !before.has(path)).sort();
    expect(added.filter((path) => !path.startsWith('migrations/'))).toEqual(['.layered-features/recipe.json', ...RECIPE_FILES]);
    expect(added.filter((path) => path.startsWith('migrations/'))).toEqual([expect.stringMatching(/^migrations\/versions\/rev_[0-9a-f]{12}_create_recipes\.py$/)]);
    expect(changedPaths(before, after).filter((path) => before.has(path))).toEqual([
      'src/api/domain/errors.py',
      'src/api/domain/factory.py',
      'src/api/domain/repositories/tables.py',
      'src/api/http/routes/__init__.py',
    ]);
  });

  it.each([
    ['recipe', RECIPE_FIELDS, undefined],
    ['kitchen-sink', MANY_FIELDS, undefined],
    ['note', 'body:str?,score:float', 'get,list'],
    ['tag', 'label:str', 'create,delete'],
    ['order-line', 'reference_code:str,unit_price:Decimal,shipped_at:datetime?', undefined],
    ['customer-subscription-renewal', 'reference_number:str,amount:Decimal', undefined],
    ['person', 'born:date,code:UUID', 'get,update'],
  ])('generates ruff-formatted Python that ruff check passes (%s)', async (name, fields, operations) => {
    await featureGenerator(tree, { name, fields, operations, skipFormat: true });
    const settings = readRuffSettings(tree, ROOT);
    const problems: string[] = [];
    for (const [path, text] of files(tree)) {
      if (!path.endsWith('.py')) continue;
      expect(formatPython(text, settings), path).toBe(text);
      problems.push(...lintPython(text, settings).map((line) => `${path}:${line}`));
    }
    expect(problems).toEqual([]);
  });

  it('keeps the factory free of control flow', async () => {
    await featureGenerator(tree, { name: 'recipe', fields: RECIPE_FIELDS, skipFormat: true });
    const factory = tree.read(`${ROOT}/src/api/domain/factory.py`, 'utf-8')!;
    expect(factory).not.toMatch(/^\s*(if|for|while|try|with|async with)\b|\bfor\b.*\bin\b|\bif\b.*\belse\b/m);
    expect(factory).toContain('return RecipeController(self.recipe_service(), self.unit_of_work())');
    expect(factory).not.toContain('SessionScoped');
  });

  it('changes nothing when run again, byte for byte', async () => {
    await featureGenerator(tree, { name: 'recipe', fields: RECIPE_FIELDS, skipFormat: true });
    await featureGenerator(tree, { name: 'kitchen-sink', fields: MANY_FIELDS, skipFormat: true });
    const before = files(tree);

    const report = await featureGenerator(tree, { name: 'recipe', fields: RECIPE_FIELDS, skipFormat: true });

    expect(changedPaths(before, files(tree))).toEqual([]);
    expect(report).toBeTypeOf('function');
  });

  it('chains each migration to the head found in migrations/versions', async () => {
    await featureGenerator(tree, { name: 'recipe', fields: RECIPE_FIELDS, skipFormat: true });
    await featureGenerator(tree, { name: 'note', fields: 'body:str', skipFormat: true });
    const versions = [...files(tree).entries()].filter(([path]) => path.startsWith('migrations/versions/rev_'));
    const recipe = versions.find(([path]) => path.endsWith('_create_recipes.py'))![1];
    const note = versions.find(([path]) => path.endsWith('_create_notes.py'))![1];
    const recipeRevision = /^revision: str = "([0-9a-f]+)"$/m.exec(recipe)![1];

    expect(recipe).toContain('down_revision: str | None = None\n');
    expect(note).toContain(`down_revision: str | None = "${recipeRevision}"\n`);
  });

  it('refuses to overwrite a slice file with other content, listing it, unless --force', async () => {
    await featureGenerator(tree, { name: 'recipe', fields: RECIPE_FIELDS, skipFormat: true });
    const service = `${ROOT}/src/api/domain/services/recipe.py`;
    tree.write(service, '# mine\n');
    const before = files(tree);

    await expect(featureGenerator(tree, { name: 'recipe', fields: `${RECIPE_FIELDS},extra:int`, skipFormat: true })).rejects.toThrow(
      /would overwrite \d+ file\(s\) that exist with other content:\n(.|\n)*  - apps\/api\/src\/api\/domain\/services\/recipe\.py\n(.|\n)*--force/,
    );

    const forced = createTreeWithEmptyWorkspace();
    for (const [path, text] of before) forced.write(`${ROOT}/${path}`, text);
    await featureGenerator(forced, { name: 'recipe', fields: RECIPE_FIELDS, force: true, skipFormat: true });
    expect(forced.read(service, 'utf-8')).toContain('class RecipeService:');
  });

  it('after --force rewrote an applied migration, says to migrate down to the revision before it, then migrate', async () => {
    await featureGenerator(tree, { name: 'recipe', fields: RECIPE_FIELDS, skipFormat: true });
    await featureGenerator(tree, { name: 'ingredient', fields: 'name:str', skipFormat: true });
    const logged: string[] = [];
    const spy = vi.spyOn(logger, 'info').mockImplementation((line) => logged.push(String(line)));

    const callback = await featureGenerator(tree, { name: 'ingredient', fields: 'name:str,grams:int', force: true, skipFormat: true });
    callback();
    spy.mockRestore();

    const versions = [...files(tree).entries()].filter(([path]) => path.startsWith('migrations/versions/rev_'));
    const revisionOf = (suffix: string) => /^revision: str = "([0-9a-f]+)"$/m.exec(versions.find(([path]) => path.endsWith(suffix))![1])![1];
    const [recipe, ingredient] = [revisionOf('_create_recipes.py'), revisionOf('_create_ingredients.py')];
    expect(logged[0]).toContain(`--force rewrote ${ROOT}/migrations/versions/rev_${ingredient}_create_ingredients.py (revision ${ingredient})`);
    expect(logged.slice(1, 3)).toEqual([`  nx run api:migrate-down -- ${recipe}`, '  nx run api:migrate']);
  });

  it('after --force rewrote the first migration, migrates down to base', async () => {
    await featureGenerator(tree, { name: 'recipe', fields: RECIPE_FIELDS, skipFormat: true });
    const logged: string[] = [];
    const spy = vi.spyOn(logger, 'info').mockImplementation((line) => logged.push(String(line)));
    (await featureGenerator(tree, { name: 'recipe', fields: `${RECIPE_FIELDS},extra:int`, force: true, skipFormat: true }))();
    spy.mockRestore();
    expect(logged[1]).toBe('  nx run api:migrate-down -- base');
  });

  it('after a first run, says to migrate', async () => {
    const logged: string[] = [];
    const spy = vi.spyOn(logger, 'info').mockImplementation((line) => logged.push(String(line)));
    (await featureGenerator(tree, { name: 'recipe', fields: RECIPE_FIELDS, skipFormat: true }))();
    spy.mockRestore();
    expect(logged).toEqual(['layered:feature: next, run `nx run api:migrate` to create the recipes table, and `nx run api:test`.']);
  });

  it('stops with file, line and expectation when the factory lost its RequestFactory, and writes nothing', async () => {
    const factory = `${ROOT}/src/api/domain/factory.py`;
    tree.write(factory, tree.read(factory, 'utf-8')!.replace('class RequestFactory:', 'class Providers:'));
    const before = files(tree);

    await expect(featureGenerator(tree, { name: 'recipe', fields: RECIPE_FIELDS, skipFormat: true })).rejects.toThrow(
      /^apps\/api\/src\/api\/domain\/factory\.py:\d+: expected a module-level class RequestFactory/,
    );
    expect(changedPaths(before, files(tree))).toEqual([]);
  });

  it('generates only the chosen operations', async () => {
    await featureGenerator(tree, { name: 'note', fields: 'body:str', operations: 'get,list', skipFormat: true });
    const routes = tree.read(`${ROOT}/src/api/http/routes/note.py`, 'utf-8')!;
    expect(routes.match(/@router\.\w+/g)).toEqual(['@router.get', '@router.get']);
    const factory = tree.read(`${ROOT}/src/api/domain/factory.py`, 'utf-8')!;
    expect(factory).toContain('return NoteController(self.note_service())');
  });

  it('defaults to the only layered project and refuses an ambiguous workspace', async () => {
    expect(normalizeOptions(tree, { name: 'recipe' }).projectName).toBe('api');
    await applicationGenerator(tree, { name: 'billing', skipFormat: true });
    expect(() => normalizeOptions(tree, { name: 'recipe' })).toThrow('Several layered backends exist (api, billing); choose one with --project.');
    expect(normalizeOptions(tree, { name: 'recipe', project: 'billing' }).packageName).toBe('billing');
  });

  it.each([
    ['title', '--fields: "title" is not "name:type"'],
    ['title:text', '--fields: "title:text" has the type "text"; use one of str, int'],
    ['Title:str', '--fields: "Title:str" has the name "Title"; field names are snake_case'],
    ['servings:int=many', '--fields: "servings:int=many" has the default "many", which is not a whole number'],
    ['title:str,,notes:str', '--fields: "" is empty; remove the extra comma'],
    ['title:str,title:int', '--fields: "title" is given twice'],
    ['class:str', '--fields: "class:str" has the name "class", a Python keyword'],
    ['seen_at:datetime=now', '--fields: "seen_at:datetime=now" has a default, which datetime fields do not support'],
    ['notes:str=None', '--fields: "notes:str=None" defaults to None but is not optional'],
    ['id:UUID', '--fields: "id:UUID" has the name "id", which the generated classes already use'],
  ])('names the bad part of --fields "%s"', (fields, message) => {
    expect(() => normalizeOptions(tree, { name: 'recipe', fields })).toThrow(message);
  });

  it.each([
    [{ name: 'health' }, 'the app already has a module called health'],
    [{ name: 'status' }, '"status" cannot name a feature: its code would name something status, which the slice already imports'],
    [{ name: 'date' }, 'its code would name something date'],
    [{ name: 'class' }, '"class" cannot name a feature: "class" is a Python keyword'],
    [{ name: 'recipe', operations: 'create,erase' }, '--operations: "erase" is not an operation'],
    [{ name: 'recipe', unique: 'nope' }, '--unique "nope" names no field'],
    [{ name: 'recipe', project: 'nope' }, 'There is no project "nope"'],
  ])('refuses bad options (%j)', (options, message) => {
    expect(() => normalizeOptions(tree, options)).toThrow(message);
  });

  it('derives names, plural and URL, and honours --plural', () => {
    const book = normalizeOptions(tree, { name: 'RecipeBook' });
    expect([book.module, book.className, book.pluralModule, book.urlSegment]).toEqual(['recipe_book', 'RecipeBook', 'recipe_books', 'recipe-books']);
    expect(normalizeOptions(tree, { name: 'category' }).pluralModule).toBe('categories');
    expect(normalizeOptions(tree, { name: 'person', plural: 'people' }).urlSegment).toBe('people');
    expect(normalizeOptions(tree, { name: 'recipe', fields: 'title:str,notes:str?' }).unique?.name).toBe('title');
    expect(normalizeOptions(tree, { name: 'recipe', fields: 'title:str', unique: 'none' }).unique).toBeNull();
  });
});
