import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mermaidGraph, REPORTERS } from '../../reporters';
import { checkProject, CheckResult } from '../check';
import { incrementalRuns } from './last-run';
import { FIXTURES, fixtureProject } from '../test-utils/fixtures';

const created: string[] = [];
afterEach(() => {
  for (const root of created.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** Everything a report shows, in every format. */
function reports(result: CheckResult): string[] {
  const context = { result, pathPrefix: 'apps/api/', color: false, toolVersion: '0.0.0' };
  return [
    JSON.stringify({ findings: result.findings, graph: result.graph, layers: result.layers, notes: result.notes, modules: result.stats.modules, files: result.stats.files }),
    ...Object.values(REPORTERS).map((reporter) => reporter(context)),
    mermaidGraph(context),
  ];
}

describe('incremental check', () => {
  it('gives exactly the result of a cold run after every kind of edit', () => {
    // LAY017's fixture turns chains on, which makes every run a full one (tested below).
    const overlays = readdirSync(path.join(FIXTURES, 'violations'))
      .filter((name) => name !== 'LAY017')
      .map((name) => path.join(FIXTURES, 'violations', name));
    const root = fixtureProject(...overlays);
    const cacheDirectory = mkdtempSync(path.join(tmpdir(), 'layered-incremental-'));
    created.push(root, cacheDirectory);
    const file = (relative: string): string => path.join(root, relative);
    const append = (relative: string, text: string): void => writeFileSync(file(relative), `${readFileSync(file(relative), 'utf-8')}${text}`);
    const replace = (relative: string, from: string | RegExp, to: string): void => {
      const before = readFileSync(file(relative), 'utf-8');
      const after = before.replace(from, to);
      expect(after, `${relative} contains ${from}`).not.toBe(before);
      writeFileSync(file(relative), after);
    };

    const edits: [string, boolean, () => void][] = [
      ['nothing (first run)', false, () => {}],
      ['edit a function body', true, () => append('src/api/domain/services/pricing.py', '\n\ndef helper(value: int) -> int:\n    return value * 2\n')],
      ['add an import that is a violation', true, () => append('src/api/domain/services/pricing.py', 'from sqlalchemy import text\n')],
      ['add an import between services', true, () => append('src/api/domain/services/pricing.py', 'from api.domain.services.recipe import RecipeService\n')],
      ['remove the imports again', true, () => replace('src/api/domain/services/pricing.py', /from sqlalchemy import text\nfrom api\.domain\.services\.recipe import RecipeService\n/, '')],
      ['add an import that closes a layer cycle', true, () => append('src/api/domain/models/recipe.py', 'from api.domain.controllers.recipe import RecipeController\n')],
      ['remove it again', true, () => replace('src/api/domain/models/recipe.py', 'from api.domain.controllers.recipe import RecipeController\n', '')],
      ['a type-only import against the layer order', true, () => append('src/api/domain/models/recipe.py', 'from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from api.domain.controllers.recipe import RecipeController\n')],
      ['an import statement with several offending names', true, () => append('src/api/domain/services/pricing.py', 'from sqlalchemy import func, select, text\n')],
      ['an inline ignore with a reason', true, () => append('src/api/domain/services/pricing.py', 'import os\nos.getenv("X")  # layered: ignore[LAY013] read once here, see #1\n')],
      ['an inline ignore without a reason', true, () => append('src/api/domain/services/pricing.py', 'print("x")  # layered: ignore[LAY014]\n')],
      ['an unused inline ignore', true, () => append('src/api/domain/services/recipe.py', 'X = 1  # layered: ignore[LAY003] nothing here\n')],
      ['a syntax error', true, () => append('src/api/domain/services/recipe.py', 'def broken(:\n')],
      ['the syntax error fixed', true, () => replace('src/api/domain/services/recipe.py', 'def broken(:\n', '')],
      ['touch a file without changing it', true, () => utimesSync(file('src/api/domain/models/recipe.py'), new Date(), new Date(Date.now() + 3000))],
      ['two files at once', true, () => {
        append('src/api/http/routes/recipe.py', 'from api.domain.repositories.recipe import RecipeRepository\n');
        append('src/api/domain/controllers/recipe.py', '\n# a comment\n');
      }],
      ['add a file', false, () => writeFileSync(file('src/api/domain/services/extra.py'), 'from sqlalchemy import select\n')],
      ['edit the added file', true, () => append('src/api/domain/services/extra.py', 'import logging\nlogging.getLogger(__name__)\n')],
      ['delete a file', false, () => rmSync(file('src/api/domain/services/extra.py'))],
      ['rename a class that others subclass', false, () => {
        replace('src/api/domain/repositories/orm.py', 'class Base(', 'class OrmBase(');
      }],
      ['a module that now derives from the renamed base', false, () => replace('src/api/domain/repositories/recipe.py', /\bBase\b/g, 'OrmBase')],
      ['change the bases of a class', false, () => replace('src/api/domain/repositories/recipe.py', 'class RecipeRow(OrmBase):', 'class RecipeRow:')],
      ['a class with table=True', false, () => append('src/api/domain/repositories/recipe.py', '\n\nclass RecipeView(RecipeRow, table=True):\n    pass\n')],
      ['the table keyword goes', false, () => replace('src/api/domain/repositories/recipe.py', 'class RecipeView(RecipeRow, table=True):', 'class RecipeView(RecipeRow):')],
      ['change the configuration', false, () => append('pyproject.toml', 'severity = { LAY014 = "warning", LAY013 = "off" }\n')],
      ['edit after the configuration change', true, () => append('src/api/domain/services/pricing.py', 'print("y")\n')],
      ['a new folder with a module', false, () => {
        mkdirSync(file('src/api/domain/services/more'), { recursive: true });
        writeFileSync(file('src/api/domain/services/more/__init__.py'), 'from api.domain.services.pricing import *\n');
      }],
      ['a migration no import can reach', false, () => {
        mkdirSync(file('src/api/domain/models/migrations'), { recursive: true });
        writeFileSync(file('src/api/domain/models/migrations/0001_initial.py'), 'from api.domain.models.recipe import Recipe\n');
      }],
      ['the migration imports a service', true, () => append('src/api/domain/models/migrations/0001_initial.py', 'from api.domain.services.pricing import PricingService\n')],
    ];
    for (const [what, incremental, edit] of edits) {
      edit();
      const before = incrementalRuns.count;
      const warm = checkProject(root, { cacheDirectory });
      const cold = checkProject(root, { cacheDirectory: null });
      expect(reports(warm), what).toEqual(reports(cold));
      if (incremental) expect(incrementalRuns.count, `${what}: incremental`).toBe(before + 1);
      // The next run of the same tree comes from the whole-result cache and agrees too.
      expect(reports(checkProject(root, { cacheDirectory })), `${what}: again`).toEqual(reports(cold));
    }
  });
});

describe('incremental check with chains on (LAY017)', () => {
  it('checks in full after an edit, with the result of a cold run', () => {
    const root = fixtureProject(path.join(FIXTURES, 'violations', 'LAY017'));
    const cacheDirectory = mkdtempSync(path.join(tmpdir(), 'layered-incremental-'));
    created.push(root, cacheDirectory);
    checkProject(root, { cacheDirectory });
    // The helper stops importing the service: the chain from the model is gone.
    const helper = path.join(root, 'src/api/support/formatting.py');
    writeFileSync(helper, readFileSync(helper, 'utf-8').replace('from api.domain.services.pricing import PricingService\n', 'PricingService = object\n'));
    const before = incrementalRuns.count;
    const warm = checkProject(root, { cacheDirectory });
    expect(incrementalRuns.count).toBe(before);
    expect(reports(warm)).toEqual(reports(checkProject(root, { cacheDirectory: null })));
    expect(warm.findings.filter((finding) => finding.rule === 'LAY017')).toEqual([]);
  });
});

describe('incremental check on a generated codebase', () => {
  it('agrees with a cold run through a long series of random edits', async () => {
    // @ts-expect-error: plain JavaScript module of the benchmark
    const { generateCorpus } = (await import('../../../bench/generate-corpus.mjs')) as { generateCorpus: (root: string, files: number) => string[] };
    const root = mkdtempSync(path.join(tmpdir(), 'layered-corpus-'));
    const cacheDirectory = mkdtempSync(path.join(tmpdir(), 'layered-incremental-'));
    created.push(root, cacheDirectory);
    const written = generateCorpus(root, 400);
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const moduleOf = (relative: string): string => relative.replace(/^src\//, '').replace(/\.py$/, '').replaceAll('/', '.');
    const originals = new Map(written.map((relative) => [relative, readFileSync(path.join(root, relative), 'utf-8')]));
    const edits: ((text: string) => string)[] = [
      (text) => `${text}\n# comment ${random(1000)}\n`,
      (text) => `${text}from sqlalchemy import text\n`,
      (text) => `${text}from ${moduleOf(written[random(written.length)])} import *\n`,
      (text) => `${text}import ${moduleOf(written[random(written.length)])}\n`,
      (text) => `from ${moduleOf(written[random(written.length)])} import Thing\n${text}`,
      (text) => `${text}print("x")  # layered: ignore[LAY014] debugging, see #2\n`,
      (text) => `${text}import os\nos.getenv("X")  # layered: ignore[LAY013]\n`,
      (text) => `${text}\n\nclass Extra(Base):\n    pass\n`,
      (text) => text.replace(/\(Protocol\)/, '(Base)'),
      (text) => text.split('\n').filter((line) => !line.startsWith('from ')).join('\n'),
      () => 'def broken(:\n',
    ];
    let incremental = 0;
    checkProject(root, { cacheDirectory });
    for (let step = 0; step < 80; step++) {
      const changes = 1 + random(3);
      for (let i = 0; i < changes; i++) {
        const relative = written[random(written.length)];
        const file = path.join(root, relative);
        const kind = random(edits.length + 5);
        writeFileSync(file, kind >= edits.length ? (originals.get(relative) as string) : edits[kind](readFileSync(file, 'utf-8')));
      }
      const before = incrementalRuns.count;
      const warm = checkProject(root, { cacheDirectory });
      incremental += incrementalRuns.count - before;
      expect(reports(warm), `step ${step}`).toEqual(reports(checkProject(root, { cacheDirectory: null })));
    }
    expect(incremental).toBeGreaterThan(20);
    // Dozens of cold checks of a corpus: slow on a loaded 2-core machine, not a timing test.
  }, 180_000);
});
