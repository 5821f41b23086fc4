import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { addProjectConfiguration, readNxJson, readProjectConfiguration, Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { formatPython, lintPython, readRuffSettings } from '../../python/format';
import { applicationGenerator, normalizeOptions } from './generator';

const EXPECTED_FILES = [
  'README.md',
  'alembic.ini',
  'migrations/env.py',
  'migrations/script.py.mako',
  'migrations/versions/README.md',
  'pyproject.toml',
  'src/api/__init__.py',
  'src/api/__main__.py',
  'src/api/config.py',
  'src/api/domain/__init__.py',
  'src/api/domain/controllers/__init__.py',
  'src/api/domain/controllers/health.py',
  'src/api/domain/errors.py',
  'src/api/domain/factory.py',
  'src/api/domain/models/__init__.py',
  'src/api/domain/models/health.py',
  'src/api/domain/models/migrations.py',
  'src/api/domain/repositories/__init__.py',
  'src/api/domain/repositories/database.py',
  'src/api/domain/repositories/health.py',
  'src/api/domain/repositories/migrations.py',
  'src/api/domain/repositories/orm.py',
  'src/api/domain/repositories/tables.py',
  'src/api/domain/repositories/unit_of_work.py',
  'src/api/domain/services/__init__.py',
  'src/api/domain/services/health.py',
  'src/api/domain/unit_of_work.py',
  'src/api/http/__init__.py',
  'src/api/http/dependencies.py',
  'src/api/http/error_handlers.py',
  'src/api/http/middleware.py',
  'src/api/http/routes/__init__.py',
  'src/api/http/routes/health.py',
  'src/api/http/schemas/__init__.py',
  'src/api/http/schemas/health.py',
  'src/api/logging.py',
  'src/api/main.py',
  'tests/__init__.py',
  'tests/conftest.py',
  'tests/test_config.py',
  'tests/test_database_faults.py',
  'tests/test_errors.py',
  'tests/test_health.py',
  'tests/test_logging.py',
  'tests/test_main.py',
  'tests/test_migrations.py',
  'tests/test_requests.py',
  'tests/test_test_database.py',
];

function filesUnder(tree: Tree, root: string): string[] {
  const found: string[] = [];
  const visit = (dir: string): void => {
    for (const child of tree.children(dir)) {
      const path = `${dir}/${child}`;
      if (tree.isFile(path)) found.push(path.slice(root.length + 1));
      else visit(path);
    }
  };
  visit(root);
  return found.sort();
}

describe('application generator', () => {
  let tree: Tree;

  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
  });

  describe('the generated project', () => {
    beforeEach(async () => {
      await applicationGenerator(tree, { name: 'api', skipFormat: true });
    });

    it('writes exactly the layered file set, project.json included', () => {
      expect(filesUnder(tree, 'apps/api')).toEqual([...EXPECTED_FILES, 'project.json'].sort());
    });

    it('leaves no template syntax behind', () => {
      for (const file of EXPECTED_FILES) {
        const text = tree.read(`apps/api/${file}`, 'utf-8')!;
        expect(text, file).not.toMatch(/<%|%>|__packageName__/);
      }
    });

    it('formats every Python file exactly as ruff format does', () => {
      for (const file of EXPECTED_FILES.filter((f) => f.endsWith('.py'))) {
        const text = tree.read(`apps/api/${file}`, 'utf-8')!;
        expect(formatPython(text), file).toBe(text);
      }
    });

    it('configures serve, test, lint, format, typecheck and migrate targets run by layered:python', () => {
      const project = readProjectConfiguration(tree, 'api');
      expect(Object.keys(project.targets ?? {}).sort()).toEqual(['format', 'lint', 'migrate', 'migrate-down', 'serve', 'test', 'typecheck']);
      for (const target of Object.values(project.targets ?? {})) expect(target.executor).toBe('layered:python');
      expect(project.targets?.test.options).toEqual({ module: 'pytest' });
      expect(project.targets?.serve.options).toEqual({ module: 'api', args: ['serve', '--reload'] });
      expect(project.targets?.serve.continuous).toBe(true);
      expect(project.targets?.migrate.options).toEqual({ module: 'alembic', args: ['upgrade', 'head'] });
      expect(project.targets?.['migrate-down'].options).toEqual({ module: 'alembic', args: ['downgrade'] });
      expect(project.targets?.test.cache).toBe(true);
      expect(project.targets?.test.inputs).toContainEqual({ env: 'LAYERED_PYTHON' });
      expect(project.targets?.test.inputs).toContain('{projectRoot}/uv.lock');
      expect(project.sourceRoot).toBe('apps/api/src/api');
      expect(project.projectType).toBe('application');
    });

    it('names every target\'s executor in executors.json, with a schema', () => {
      const executors = JSON.parse(readFileSync(path.join(__dirname, '../../../executors.json'), 'utf-8')).executors;
      const project = readProjectConfiguration(tree, 'api');
      for (const target of Object.values(project.targets ?? {})) {
        const [plugin, name] = target.executor!.split(':');
        expect(plugin).toBe('layered');
        expect(existsSync(path.join(__dirname, '../../..', executors[name].schema))).toBe(true);
      }
    });

    it('writes a [tool.layered] table and the strict tool settings', () => {
      const pyproject = tree.read('apps/api/pyproject.toml', 'utf-8')!;
      expect(pyproject).toContain('[tool.layered]');
      expect(pyproject).toContain('strict = true');
      expect(pyproject).toContain('known-first-party = ["api"]');
    });

    it('reads settings with the API_ prefix', () => {
      expect(tree.read('apps/api/src/api/config.py', 'utf-8')).toContain('ENV_PREFIX: Final = "API_"');
    });

    it('runs init, registering the plugin', () => {
      expect(readNxJson(tree)?.plugins).toContainEqual(expect.objectContaining({ plugin: 'layered' }));
    });
  });

  it.each(['api', 'customer-billing-platform'])('generates Python that ruff check passes with the project settings (%s)', async (name) => {
    await applicationGenerator(tree, { name, skipFormat: true });
    const root = `apps/${name}`;
    const settings = readRuffSettings(tree, root);
    const problems = filesUnder(tree, root)
      .filter((file) => file.endsWith('.py'))
      .flatMap((file) => lintPython(tree.read(`${root}/${file}`, 'utf-8')!, settings).map((line) => `${file}:${line}`));
    expect(problems).toEqual([]);
  });

  it('derives the package and env prefix from a dashed name, and honours directory and tags', async () => {
    await applicationGenerator(tree, { name: 'billing-api', directory: 'services/billing', tags: 'scope:billing, type:backend' });

    const project = readProjectConfiguration(tree, 'billing-api');
    expect(project.root).toBe('services/billing');
    expect(project.tags).toEqual(['scope:billing', 'type:backend']);
    expect(tree.exists('services/billing/src/billing_api/main.py')).toBe(true);
    expect(tree.read('services/billing/src/billing_api/config.py', 'utf-8')).toContain('"BILLING_API_"');
  });

  it('accepts an explicit package name', async () => {
    await applicationGenerator(tree, { name: 'web-backend', packageName: 'backend' });

    expect(tree.exists('apps/web-backend/src/backend/factory.py')).toBe(false);
    expect(tree.exists('apps/web-backend/src/backend/domain/factory.py')).toBe(true);
  });

  describe('bad input fails with a clear message and writes nothing', () => {
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['a name starting with a digit', { name: '1api' }, /"1api" is not a valid project name: it must start with a letter/],
      ['a Python keyword', { name: 'class' }, /"class" is a Python keyword.*--packageName/],
      ['a name with a space', { name: 'my api' }, /"my api" is not a valid project name/],
      ['a path as name', { name: '../x' }, /"\.\.\/x" is not a valid project name/],
      ['an empty name', { name: '' }, /project name is empty/],
      ['a blank name', { name: '   ' }, /project name is empty/],
      ['a name that shadows a dependency', { name: 'fastapi' }, /would shadow the module/],
      ['an invalid package name', { name: 'api', packageName: 'Api-Pkg' }, /"Api-Pkg" \(given by --packageName\) cannot be used/],
      ['a directory outside the workspace', { name: 'api', directory: '../elsewhere' }, /points outside the workspace/],
      ['an absolute directory', { name: 'api', directory: '/tmp/api' }, /points outside the workspace/],
      ['a directory with spaces', { name: 'api', directory: 'apps/my api' }, /characters that break shell commands/],
      ['a bad env prefix', { name: 'api', envPrefix: 'api' }, /--envPrefix "api" is not valid/],
    ];

    it.each(cases)('%s', async (_label, options, message) => {
      const before = JSON.stringify(tree.listChanges());
      await expect(applicationGenerator(tree, options as never)).rejects.toThrow(message);
      expect(JSON.stringify(tree.listChanges())).toBe(before);
    });

    it('an existing project name', async () => {
      addProjectConfiguration(tree, 'api', { root: 'libs/api' });
      const before = tree.listChanges().length;

      await expect(applicationGenerator(tree, { name: 'api' })).rejects.toThrow(/A project named "api" already exists \(in libs\/api\)/);
      expect(tree.listChanges()).toHaveLength(before);
    });

    it('an existing, non-empty directory', async () => {
      tree.write('apps/api/notes.txt', 'mine');
      const before = tree.listChanges().length;

      await expect(applicationGenerator(tree, { name: 'api' })).rejects.toThrow(/The folder apps\/api already exists and is not empty/);
      expect(tree.listChanges()).toHaveLength(before);
      expect(tree.read('apps/api/notes.txt', 'utf-8')).toBe('mine');
    });
  });

  it('normalises options once', () => {
    expect(normalizeOptions({ name: 'RecipeBook' })).toEqual({
      projectName: 'RecipeBook',
      projectRoot: 'apps/RecipeBook',
      packageName: 'recipe_book',
      envPrefix: 'RECIPE_BOOK',
      title: 'RecipeBook',
      tags: [],
      skipFormat: false,
      skipInstall: false,
    });
  });
});
