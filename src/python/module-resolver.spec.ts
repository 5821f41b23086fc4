import { describe, expect, it } from 'vitest';
import { scanImports } from './imports';
import { ModuleIndex, moduleNameForPath, relativeBase, resolveImportTarget } from './module-resolver';

const index = new ModuleIndex();
// `api/domain/services/` has no __init__.py: a namespace package, known through its modules.
for (const module of ['api', 'api.config', 'api.domain', 'api.domain.models', 'api.domain.models.recipe', 'api.domain.services.recipe', 'api.http.routes']) index.add(module);

function targets(current: string, isPackage: boolean, source: string): string[] {
  const statement = scanImports(source).imports[0];
  return statement.names.map((name) => {
    const target = resolveImportTarget(index, { name: current, isPackage }, statement, name.name);
    return target === null ? 'unresolvable' : `${target.module}${target.internal ? '' : ' (external)'}`;
  });
}

describe('module resolution', () => {
  it('names modules and packages from their paths', () => {
    expect(moduleNameForPath('api/domain/__init__.py')).toEqual({ name: 'api.domain', isPackage: true });
    expect(moduleNameForPath('api/config.py')).toEqual({ name: 'api.config', isPackage: false });
    expect(moduleNameForPath('api/not-a-module.py')).toBeNull();
  });

  it('climbs one package per extra dot, from a module or from a package', () => {
    expect(relativeBase({ name: 'api.domain.services.recipe', isPackage: false }, 1)).toBe('api.domain.services');
    expect(relativeBase({ name: 'api.domain.services.recipe', isPackage: false }, 3)).toBe('api');
    expect(relativeBase({ name: 'api.domain', isPackage: true }, 1)).toBe('api.domain');
    expect(relativeBase({ name: 'api.config', isPackage: false }, 2)).toBeNull();
  });

  it('resolves `from . import x` to the submodule when it exists, else to the package (x is an attribute)', () => {
    expect(targets('api.domain.models.health', false, 'from . import recipe, Thing')).toEqual(['api.domain.models.recipe', 'api.domain.models']);
    expect(targets('api.domain.services.recipe', false, 'from ..models.recipe import Recipe')).toEqual(['api.domain.models.recipe']);
    expect(targets('api.domain.services.recipe', false, 'from ...config import AppConfig')).toEqual(['api.config']);
    expect(targets('api.config', false, 'from ... import x')).toEqual(['unresolvable']);
  });

  it('knows namespace packages, aliased imports, externals and missing modules of the package', () => {
    expect(targets('api.http.routes', true, 'from api.domain import services')).toEqual(['api.domain.services']);
    expect(targets('api.config', false, 'import api.domain.models.recipe as recipe')).toEqual(['api.domain.models.recipe']);
    expect(targets('api.config', false, 'from sqlalchemy.orm import Session')).toEqual(['sqlalchemy.orm (external)']);
    expect(targets('api.config', false, 'import api.gone')).toEqual(['api.gone']);
    expect(targets('api.config', false, 'x = importlib.import_module(".domain.models", __package__)')).toEqual(['api.domain.models']);
  });
});
