/** Python's import resolution over a project's own modules: absolute, relative and namespace packages. */
import type { ImportStatement } from './imports';

export interface ModulePath {
  name: string;
  isPackage: boolean;
}

/** `api/domain/__init__.py` -> api.domain (a package); `api/config.py` -> api.config. Null for non-identifiers. */
export function moduleNameForPath(relativePath: string): ModulePath | null {
  const parts = relativePath.replace(/\.py$/, '').split('/').filter((part) => part !== '.' && part !== '');
  const isPackage = parts[parts.length - 1] === '__init__';
  if (isPackage) parts.pop();
  if (parts.length === 0 || parts.some((part) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(part))) return null;
  return { name: parts.join('.'), isPackage };
}

export class ModuleIndex {
  /** Modules with a file, and every package above them (namespace packages included). */
  readonly names = new Set<string>();
  /** Names with modules below them: only these can have submodules. */
  private readonly packages = new Set<string>();

  add(module: string): void {
    const parts = module.split('.');
    for (let i = 1; i <= parts.length; i++) {
      const name = i === parts.length ? module : parts.slice(0, i).join('.');
      this.names.add(name);
      if (i < parts.length) this.packages.add(name);
    }
  }

  hasSubmodules(module: string): boolean {
    return this.packages.has(module);
  }

  has(module: string): boolean {
    return this.names.has(module);
  }
}

/** The package a relative import of `level` dots starts from, or null when it climbs above the top. */
export function relativeBase(current: ModulePath, level: number): string | null {
  const parts = current.name.split('.');
  const packageParts = current.isPackage ? parts : parts.slice(0, -1);
  const keep = packageParts.length - (level - 1);
  if (keep <= 0) return null;
  return packageParts.slice(0, keep).join('.');
}

export interface ImportTarget {
  /** The module depended on. */
  module: string;
  internal: boolean;
}

/**
 * Resolves one imported name the way Python would: `from pkg import x` depends on the
 * submodule `pkg.x` when it exists, else on `pkg` (x is an attribute).
 */
export function resolveImportTarget(index: ModuleIndex, current: ModulePath, statement: ImportStatement, importedName: string): ImportTarget | null {
  let base = statement.module;
  if (statement.level > 0) {
    const start = relativeBase(current, statement.level);
    if (start === null) return null;
    base = [start, statement.module].filter(Boolean).join('.');
  }
  if (statement.kind === 'from') {
    if (base === '') return null;
    // Only a package can hold `importedName` as a submodule; most imports name a class of a plain module.
    if (importedName !== '*' && index.hasSubmodules(base)) {
      const submodule = `${base}.${importedName}`;
      if (index.has(submodule)) return { module: submodule, internal: true };
    }
    return { module: base, internal: index.has(base) || hasInternalPrefix(index, base) };
  }
  if (base === '') return null;
  return { module: base, internal: index.has(base) || hasInternalPrefix(index, base) };
}

// `import api.missing` is still an import of the project's package, even if the module is gone.
function hasInternalPrefix(index: ModuleIndex, module: string): boolean {
  const dot = module.indexOf('.');
  return dot > 0 && index.has(module.slice(0, dot));
}
