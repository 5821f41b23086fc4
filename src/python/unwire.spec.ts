import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { applicationGenerator } from '../generators/application/generator';
import { EditContext, PythonEditError } from './edit';
import { readRuffSettings, RuffSettings } from './format';
import { firstSyntaxError, parsePython } from './parser';
import { removeCollectionElement, removeFromImport, unwireFeatureFromErrors, unwireFeatureFromFactory, unwireFeatureFromRouter, unwireFeatureFromTables } from './unwire';
import { FeatureWiring, wireFeatureIntoErrors, wireFeatureIntoFactory, wireFeatureIntoRouter, wireFeatureIntoTables } from './wiring';

type Step = (source: string, feature: FeatureWiring, context: EditContext) => Promise<string>;

const MODULES: Record<string, { file: string; wire: Step; unwire: Step }> = {
  factory: { file: 'domain/factory.py', wire: wireFeatureIntoFactory, unwire: unwireFeatureFromFactory },
  router: { file: 'http/routes/__init__.py', wire: wireFeatureIntoRouter, unwire: unwireFeatureFromRouter },
  tables: { file: 'domain/repositories/tables.py', wire: wireFeatureIntoTables, unwire: unwireFeatureFromTables },
  errors: { file: 'domain/errors.py', wire: wireFeatureIntoErrors, unwire: unwireFeatureFromErrors },
};

const RECIPE: FeatureWiring = { packageName: 'api', module: 'recipe', className: 'Recipe', label: 'recipe', concurrentReads: true, writes: true, conflicts: true };
const INGREDIENT: FeatureWiring = { packageName: 'api', module: 'ingredient', className: 'Ingredient', label: 'ingredient', concurrentReads: true, writes: true, conflicts: false };
const NOTE: FeatureWiring = { packageName: 'api', module: 'note', className: 'Note', label: 'note', concurrentReads: false, writes: false, conflicts: false };
const LONG: FeatureWiring = {
  packageName: 'api',
  module: 'customer_subscription_renewal',
  className: 'CustomerSubscriptionRenewal',
  label: 'customer subscription renewal',
  concurrentReads: true,
  writes: true,
  conflicts: true,
};

async function wire(source: string, kind: string, features: FeatureWiring[], context: EditContext): Promise<string> {
  let text = source;
  for (const feature of features) text = await MODULES[kind].wire(text, feature, context);
  return text;
}

describe('unwiring is the exact inverse of wiring, on the modules of a generated app', () => {
  const app = new Map<string, string>();
  let settings: RuffSettings;

  beforeAll(async () => {
    const tree = createTreeWithEmptyWorkspace();
    await applicationGenerator(tree, { name: 'api', skipFormat: true });
    settings = readRuffSettings(tree, 'apps/api');
    for (const [kind, { file }] of Object.entries(MODULES)) app.set(kind, tree.read(`apps/api/src/api/${file}`, 'utf-8')!);
  });

  const orders: Array<[string, FeatureWiring[], FeatureWiring[]]> = [
    ['recipe, ingredient; remove ingredient, then recipe', [RECIPE, INGREDIENT], [INGREDIENT, RECIPE]],
    ['recipe, ingredient; remove recipe, then ingredient', [RECIPE, INGREDIENT], [RECIPE, INGREDIENT]],
    ['note (no list), recipe; remove note, then recipe', [NOTE, RECIPE], [NOTE, RECIPE]],
    ['a long name that wraps imports; then recipe; remove the long one first', [LONG, RECIPE], [LONG, RECIPE]],
  ];

  it.each(Object.keys(MODULES).flatMap((kind) => orders.map(([label, added, removed]) => [kind, label, added, removed] as const)))(
    '%s: %s',
    async (kind, _label, added, removed) => {
      const context = { file: `apps/api/src/api/${MODULES[kind].file}`, settings };
      const base = app.get(kind)!;
      let text = await wire(base, kind, added, context);
      let remaining = [...added];
      for (const feature of removed) {
        text = await MODULES[kind].unwire(text, feature, context);
        const last = remaining.at(-1) === feature;
        remaining = remaining.filter((other) => other !== feature);
        // Removing the feature generated last gives the app as it was before, byte for byte.
        if (last) expect(text).toBe(await wire(base, kind, remaining, context));
      }
      expect(text).toBe(base);
    },
  );

  it('leaves a module without the feature unchanged', async () => {
    for (const kind of Object.keys(MODULES)) {
      expect(await MODULES[kind].unwire(app.get(kind)!, RECIPE, { file: kind, settings })).toBe(app.get(kind));
    }
  });
});

// The wiring corpus: expected.py is input.py with the recipe wired in, so unwiring gives input.py back.
const FIXTURES = path.join(__dirname, '__fixtures__', 'wiring');
// Inputs that held part of the wiring already (or under another spelling): unwiring removes all of it.
const PRE_WIRED = new Set(['errors-partially-wired', 'factory-import-with-comment', 'factory-partially-wired', 'router-already-wired', 'tables-already-wired']);
const invertible = readdirSync(FIXTURES)
  .filter((name) => existsSync(path.join(FIXTURES, name, 'expected.py')) && !PRE_WIRED.has(name))
  .sort();

describe('unwiring the wiring corpus (hand-edited modules) gives the input back, byte for byte', () => {
  it('covers most of the corpus', () => {
    expect(invertible.length).toBeGreaterThanOrEqual(20);
  });

  it.each(invertible)('%s', async (name) => {
    const unwire = MODULES[name.split('-')[0]].unwire;
    const input = readFileSync(path.join(FIXTURES, name, 'input.py'), 'utf-8');
    const expected = readFileSync(path.join(FIXTURES, name, 'expected.py'), 'utf-8');
    expect(await unwire(expected, RECIPE, { file: `apps/api/src/api/${name}.py` })).toBe(input);
  });

  it.each([...PRE_WIRED].sort())('%s: removes every part of the wiring that is there', async (name) => {
    const kind = name.split('-')[0];
    const expected = readFileSync(path.join(FIXTURES, name, 'expected.py'), 'utf-8');
    const unwired = await MODULES[kind].unwire(expected, RECIPE, { file: `${name}.py` });
    expect(unwired).not.toMatch(/Recipe|recipe_|\brecipe\.router|"recipe"/);
    expect(firstSyntaxError((await parsePython(unwired)).rootNode)).toBeNull();
    // Everything else is still there, in order: the removal only deleted text.
    let at = 0;
    const kept = [...unwired].every((char) => (at = expected.indexOf(char, at) + 1) > 0);
    expect(kept).toBe(true);
  });
});

describe('names still in use stay', () => {
  const context = { file: 'x.py' };

  it('keeps `health` in `from api.http.routes import health, recipe`', async () => {
    const source = 'from api.http.routes import health, recipe\n\nROUTERS = (health.router, recipe.router)\n';
    expect(await unwireFeatureFromRouter(source, RECIPE, context)).toBe('from api.http.routes import health\n\nROUTERS = (health.router,)\n');
  });

  it('keeps the import of a routes module the file still uses elsewhere', async () => {
    const source = 'from api.http.routes import health, recipe\n\nROUTERS = (health.router, recipe.router)\nEXTRA = recipe.router\n';
    expect(await unwireFeatureFromRouter(source, RECIPE, context)).toBe('from api.http.routes import health, recipe\n\nROUTERS = (health.router,)\nEXTRA = recipe.router\n');
  });

  it('finds a router listed under an alias, and removes the aliased import', async () => {
    const source = 'from api.http.routes import health\nfrom api.http.routes import recipe as recipes\n\nROUTERS = (health.router, recipes.router)\n';
    expect(await unwireFeatureFromRouter(source, RECIPE, context)).toBe('from api.http.routes import health\nfrom api.http.routes import recipe as recipes\n\nROUTERS = (health.router,)\n');
  });

  it('keeps SessionScoped while another provider uses it', async () => {
    const source = [
      'from api.domain.controllers.ingredient import IngredientController',
      'from api.domain.controllers.recipe import RecipeController',
      'from api.domain.repositories.ingredient import IngredientRepository',
      'from api.domain.repositories.recipe import RecipeRepository',
      'from api.domain.repositories.session_scope import SessionScoped',
      'from api.domain.services.ingredient import IIngredientService, IngredientService',
      'from api.domain.services.recipe import IRecipeService, RecipeService',
      '',
      '',
      'class RequestFactory:',
      '    def unit_of_work(self) -> object:',
      '        return self',
      '',
    ].join('\n');
    let text = source;
    for (const feature of [INGREDIENT, RECIPE]) text = await wireFeatureIntoFactory(text, feature, context);
    const unwired = await unwireFeatureFromFactory(text, RECIPE, context);
    expect(unwired).toContain('from api.domain.repositories.session_scope import SessionScoped\n');
    expect(unwired).toContain('def ingredient_controller(self)');
    expect(unwired).not.toMatch(/Recipe|recipe_/);
    expect(unwired).toContain('    def unit_of_work(self) -> object:\n        return self\n');
  });

  it('keeps the one-element tuple a tuple', async () => {
    const spec = { variable: 'ROUTERS', element: 'recipe.router' };
    expect(await removeCollectionElement('ROUTERS = (health.router, recipe.router)\n', spec, context)).toBe('ROUTERS = (health.router,)\n');
    expect(await removeCollectionElement('ROUTERS = (recipe.router, health.router)\n', spec, context)).toBe('ROUTERS = (health.router,)\n');
    expect(await removeCollectionElement('ROUTERS = (recipe.router,)\n', spec, context)).toBe('ROUTERS = ()\n');
  });

  it('finds a string element by its value, whatever its quotes', async () => {
    const source = "__all__ = ['metadata', 'recip\\x65']\n";
    expect(await removeCollectionElement(source, { variable: '__all__', element: '"recipe"', sorted: true }, context)).toBe("__all__ = ['metadata']\n");
  });

  it('removes only unused names from an import', async () => {
    const source = 'from api.b import Alpha, Beta\n\nX = Beta\n';
    expect(await removeFromImport(source, { module: 'api.b', names: ['Alpha', 'Beta'] }, new Set(['Beta']), 'api', context)).toBe('from api.b import Beta\n\nX = Beta\n');
  });

  it('refuses a registry that is no longer a literal, naming its line', async () => {
    const source = 'from api.http.routes import health, recipe\n\nROUTERS = tuple([health.router, recipe.router])\n';
    const error = await unwireFeatureFromRouter(source, RECIPE, context).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(PythonEditError);
    expect((error as Error).message).toBe(
      'x.py:3: expected ROUTERS to be assigned a tuple or list literal to remove recipe.router from, found "tuple([health.router, recipe.router])"; remove it by hand, or make it a literal again',
    );
  });
});

// The wiring fuzzer's saved cases (src/python/wiring-fuzz): mutated app modules. Wiring then
// unwiring gives each module back, byte for byte, unless the mutation had pre-wired the feature.
const FUZZ = path.join(__dirname, '__fixtures__', 'wiring-fuzz');
const fuzzCases = existsSync(FUZZ) ? readdirSync(FUZZ).filter((name) => name.endsWith('.json')).sort() : [];

describe('unwiring the wiring fuzzer corpus', () => {
  it('gives every module wired without pre-wiring back, byte for byte', async () => {
    let exact = 0;
    for (const name of fuzzCases) {
      const fuzzCase = JSON.parse(readFileSync(path.join(FUZZ, name), 'utf-8')) as {
        applied: string[];
        feature: Omit<FeatureWiring, 'label'>;
        settings: RuffSettings;
        inputs: Record<string, string>;
      };
      const feature: FeatureWiring = { label: fuzzCase.feature.module.replace(/_/g, ' '), ...fuzzCase.feature };
      for (const [kind, base64] of Object.entries(fuzzCase.inputs)) {
        const input = Buffer.from(base64, 'base64').toString('utf-8');
        const preWired = fuzzCase.applied.some((mutation) => mutation.startsWith(`${kind}:`) && /pre-(wired|defined)/.test(mutation));
        if (input.includes('\ufffd') || preWired) continue; // not UTF-8 (a coding cookie), or nothing to give back
        const context = { file: `${name}:${kind}.py`, settings: fuzzCase.settings, cpythonJudges: true };
        const wired = await MODULES[kind].wire(input, feature, context).catch(() => null);
        if (wired === null || wired === input) continue; // refused, or nothing to wire
        expect(await MODULES[kind].unwire(wired, feature, context), `${name} ${kind}`).toBe(input);
        exact += 1;
      }
    }
    expect(exact).toBeGreaterThanOrEqual(fuzzCases.length === 0 ? 0 : 50);
  });
});
