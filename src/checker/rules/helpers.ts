/** Small building blocks shared by the rules: import findings and name resolution through imports. */
import type { ClassFact } from '../scan/facts';
import type { LayerName } from '../layers';
import type { ModuleInfo, ProjectModel, RawFinding, ResolvedImport } from '../types';

/** The imported thing as a dotted name: `sqlalchemy.text` for `from sqlalchemy import text`. */
export function importedName(imp: ResolvedImport): string {
  const statement = imp.statement;
  if (statement.kind !== 'from' || imp.name.name === '*') return imp.target;
  return imp.target.endsWith(`.${imp.name.name}`) ? imp.target : `${imp.target}.${imp.name.name}`;
}

/** A finding about one import: names the importing module, the imported one and the line. */
export function importFinding(module: ModuleInfo, imp: ResolvedImport, what: string): RawFinding {
  const finding: RawFinding = {
    path: module.path,
    line: imp.line,
    col: imp.col,
    message: `\`${module.name}\` (${what}) imports \`${importedName(imp)}\` at line ${imp.line}`,
    key: `${module.name} -> ${importedName(imp)}`,
  };
  if (module.layer && imp.layer) finding.edge = { from: module.layer, to: imp.layer };
  return finding;
}

/** `a`, `a` and `b`, `a`, `b` and `c`. */
function listed(items: string[]): string {
  return items.length === 1 ? items[0] : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * Findings about imports, one per statement (and layer it reaches): `from sqlalchemy import A, B`
 * is one finding naming both.
 */
export function importFindings(module: ModuleInfo, imports: ResolvedImport[], what: string, more?: (group: ResolvedImport[]) => string): RawFinding[] {
  const groups = new Map<string, ResolvedImport[]>();
  for (const imp of imports) {
    const key = `${imp.statement.line}:${imp.statement.col}:${imp.layer ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), imp]);
  }
  return [...groups.values()].map((group) => {
    const finding = importFinding(module, group[0], what);
    if (group.length > 1) {
      const names = group.map(importedName);
      // Several names: the statement is what to change, so the finding sits on it.
      finding.line = group[0].statement.line;
      finding.col = group[0].statement.col + 1;
      finding.message = `\`${module.name}\` (${what}) imports ${listed(names.map((name) => `\`${name}\``))} at line ${finding.line}`;
      finding.key = `${module.name} -> ${names.join(', ')}`;
    }
    if (more) finding.message += more(group);
    return finding;
  });
}

/** Modules of the app package that belong to one of the given layers. */
export function modulesIn(project: ProjectModel, layers: ReadonlySet<LayerName> | LayerName): ModuleInfo[] {
  const wanted = typeof layers === 'string' ? new Set([layers]) : layers;
  return project.modules.filter((module) => module.inPackage && module.layer !== null && wanted.has(module.layer));
}

export function describeLayer(layer: LayerName | null): string {
  return layer ? `${layer} layer` : 'app module';
}

const bindingsCache = new WeakMap<ModuleInfo, Map<string, string>>();

/** Gives a module whose facts are not loaded the bindings a previous run recorded for it. */
export function seedBindings(module: ModuleInfo, bindings: Map<string, string>): void {
  bindingsCache.set(module, bindings);
}

/** Local name -> qualified name, for every name a module's imports bind. */
export function bindingsOf(module: ModuleInfo): Map<string, string> {
  let bindings = bindingsCache.get(module);
  if (bindings) return bindings;
  bindings = new Map();
  for (const imp of module.imports) {
    const statement = imp.statement;
    if (statement.kind === 'import') {
      if (imp.name.asname) bindings.set(imp.name.asname, imp.target);
      else bindings.set(imp.target.split('.')[0], imp.target.split('.')[0]);
    } else if (statement.kind === 'from' && imp.name.name !== '*') {
      bindings.set(imp.name.asname ?? imp.name.name, importedName(imp));
    }
  }
  bindingsCache.set(module, bindings);
  return bindings;
}

/** Qualifies a dotted name used in a module: through its imports, or as one of its own classes. */
export function qualify(module: ModuleInfo, dotted: string): string {
  const dot = dotted.indexOf('.');
  const head = dot < 0 ? dotted : dotted.slice(0, dot);
  const rest = dot < 0 ? '' : dotted.slice(dot);
  const bound = bindingsOf(module).get(head);
  if (bound !== undefined) return bound + rest;
  if (module.facts.classes.some((cls) => cls.topLevel && cls.name === head)) return `${module.name}.${dotted}`;
  return dotted;
}

export interface ClassRef {
  module: ModuleInfo;
  fact: ClassFact;
  qualified: string;
}

const classIndexCache = new WeakMap<ProjectModel, Map<string, ClassRef>>();

/** Every top-level class of the project by qualified name. */
export function classIndex(project: ProjectModel): Map<string, ClassRef> {
  const cached = classIndexCache.get(project);
  if (cached) return cached;
  const index = new Map<string, ClassRef>();
  classIndexCache.set(project, index);
  for (const module of project.modules) {
    for (const fact of module.facts.classes) {
      if (fact.topLevel) index.set(`${module.name}.${fact.name}`, { module, fact, qualified: `${module.name}.${fact.name}` });
    }
  }
  return index;
}

/** A class re-exported through a package `__init__` is found under its defining module too. */
function followReexport(project: ProjectModel, qualified: string, classes: Map<string, ClassRef>): string {
  for (let hops = 0; hops < 5 && !classes.has(qualified); hops++) {
    const dot = qualified.lastIndexOf('.');
    const owner = project.byName.get(qualified.slice(0, dot));
    if (!owner) break;
    project.reexportOwners?.add(owner.name);
    const next = bindingsOf(owner).get(qualified.slice(dot + 1));
    if (!next || next === qualified) break;
    qualified = next;
  }
  return qualified;
}

const resolvedBasesCache = new WeakMap<ProjectModel, Map<string, string[]>>();

/**
 * Stands among a class's resolved bases for the `table=True` class keyword: it is what makes a
 * SQLModel class an ORM table, and subclasses inherit it like a base (it is one of their roots).
 */
export const TABLE_KEYWORD = '<table=True>';

/** The bases of one class, resolved to qualified names (through imports and re-exports). */
export function resolveClassBases(project: ProjectModel, module: ModuleInfo, fact: ClassFact, classes: Map<string, ClassRef>): string[] {
  const bases = fact.bases.map((base) => followReexport(project, qualify(module, base), classes));
  return fact.keywords.table === 'True' ? [...bases, TABLE_KEYWORD] : bases;
}

/** Thrown when a class model seeded from an earlier run cannot answer exactly (inheritance cycles). */
export class IncompleteClassModel extends Error {}

const seededProjects = new WeakSet<ProjectModel>();

/** The class index of a seeded model: answers which classes exist (their facts are not loaded). */
class SeededClassIndex extends Map<string, ClassRef> {
  constructor(private readonly bases: Map<string, string[]>) {
    super();
  }

  override has(qualified: string): boolean {
    return this.bases.has(qualified);
  }

  override get(qualified: string): ClassRef | undefined {
    return this.bases.has(qualified) ? ({ qualified } as ClassRef) : undefined;
  }

  override get size(): number {
    return this.bases.size;
  }
}

/**
 * Installs a class model computed by an earlier run (every class's qualified name and resolved
 * bases, in project order), for a project that holds only some of its modules.
 */
export function seedClassModel(project: ProjectModel, bases: Map<string, string[]>): void {
  classIndexCache.set(project, new SeededClassIndex(bases));
  resolvedBasesCache.set(project, bases);
  seededProjects.add(project);
}

export function resolvedBases(project: ProjectModel): Map<string, string[]> {
  const cached = resolvedBasesCache.get(project);
  if (cached) return cached;
  const classes = classIndex(project);
  const bases = new Map<string, string[]>();
  for (const ref of classes.values()) {
    bases.set(ref.qualified, resolveClassBases(project, ref.module, ref.fact, classes));
  }
  resolvedBasesCache.set(project, bases);
  return bases;
}

const rootBasesCache = new WeakMap<ProjectModel, Map<string, string[]>>();

/** For each project class, the classes outside the project it ultimately derives from, computed once. */
export function rootBases(project: ProjectModel): Map<string, string[]> {
  const cached = rootBasesCache.get(project);
  if (cached) return cached;
  const bases = resolvedBases(project);
  const roots = new Map<string, string[]>();
  const visit = (qualified: string): string[] => {
    const known = roots.get(qualified);
    if (known) return known;
    roots.set(qualified, []); // inheritance cycles (broken code) end here
    const found = new Set<string>();
    for (const base of bases.get(qualified) ?? []) {
      if (bases.has(base)) for (const root of visit(base)) found.add(root);
      else found.add(base);
    }
    const list = [...found];
    roots.set(qualified, list);
    return list;
  };
  for (const qualified of bases.keys()) visit(qualified);
  rootBasesCache.set(project, roots);
  return roots;
}

const lazyRootsCache = new WeakMap<ProjectModel, Map<string, string[] | null>>();

/** The roots of one class of a seeded model, computed on demand: the same as `rootBases` when no cycle is reachable. */
function rootsOf(project: ProjectModel, qualified: string): string[] {
  const bases = resolvedBases(project);
  if (!bases.has(qualified)) return [];
  let roots = lazyRootsCache.get(project);
  if (!roots) lazyRootsCache.set(project, (roots = new Map()));
  const known = roots.get(qualified);
  if (known === null) throw new IncompleteClassModel(`inheritance cycle through ${qualified}`);
  if (known) return known;
  roots.set(qualified, null);
  const found = new Set<string>();
  for (const base of bases.get(qualified) ?? []) {
    if (bases.has(base)) for (const root of rootsOf(project, base)) found.add(root);
    else found.add(base);
  }
  const list = [...found];
  roots.set(qualified, list);
  return list;
}

/**
 * Qualified names of the project's classes that derive, directly or through other project
 * classes, from a base accepted by `isRootBase` (e.g. anything from sqlalchemy).
 */
export function classesDerivedFrom(project: ProjectModel, isRootBase: (qualified: string) => boolean): { has(qualified: string): boolean } {
  return classesWithRoots(project, (roots) => roots.some(isRootBase));
}

/** Qualified names of the project's classes whose roots (see `rootBases`) are accepted by `accept`. */
export function classesWithRoots(project: ProjectModel, accept: (roots: string[]) => boolean): { has(qualified: string): boolean } {
  if (seededProjects.has(project)) return { has: (qualified) => accept(rootsOf(project, qualified)) };
  const derived = new Set<string>();
  for (const [qualified, roots] of rootBases(project)) if (accept(roots)) derived.add(qualified);
  return derived;
}

/** Resolves a dotted name in a module to a project class when it names one (through re-exports). */
export function resolveClass(project: ProjectModel, module: ModuleInfo, dotted: string, classes: Map<string, ClassRef>): string {
  return followReexport(project, qualify(module, dotted), classes);
}

export const PROTOCOL_BASES = new Set(['typing.Protocol', 'typing_extensions.Protocol']);

/** Whether a qualified name belongs to one of the given top-level libraries. */
export function fromLibrary(qualified: string, libraries: readonly string[]): boolean {
  const dot = qualified.indexOf('.');
  return libraries.includes(dot < 0 ? qualified : qualified.slice(0, dot));
}

/** Whether an import is of a configured ORM library (`orm-libraries`). */
export function importsOrm(project: ProjectModel, imp: ResolvedImport): boolean {
  return imp.external !== null && project.config.ormLibraries.includes(imp.external);
}
