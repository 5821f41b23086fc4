import {
  ClassSpec,
  CollectionElement,
  definitionOf,
  EditContext,
  endOfLine,
  ensureClasses,
  ensureCollectionElement,
  ensureFromImport,
  ensureMethods,
  findAssignment,
  findClass,
  FromImport,
  importedSpellings,
  literalValue,
  MethodSpec,
  moduleOf,
  named,
  PythonEditError,
  resolvedModuleOf,
  sameElement,
  startOfLine,
} from './edit';
import { parsePython, SyntaxNode } from './parser';
import { factorySpecs, featureErrorClasses, FeatureWiring, routerElement, ROUTERS_USE } from './wiring';

/**
 * The inverse of wiring.ts: removes from the shared modules exactly what wireFeatureInto*
 * inserted. Each forward step (ensureMethods, ensureFromImport, ensureCollectionElement,
 * ensureClasses) is undone in reverse order. For each, a few candidate removals are made, and
 * the one the forward step turns back into the current text, byte for byte, is kept. When none
 * does (the module was edited since), the first, most natural removal is kept, and CPython
 * judges the result (see wire-modules.ts).
 *
 * Entries are found by meaning, as the forward steps decide "already wired": an import under its
 * bound name, a listed router under any name the imports give it, a string by its value. An
 * imported name stays while other code in the module still uses it.
 */

interface Parsed {
  source: string;
  root: SyntaxNode;
  eol: string;
}

async function withTree<T>(source: string, use: (parsed: Parsed) => T): Promise<T> {
  // Python also ends lines with a lone CR, which tree-sitter does not; same length, same indices.
  const tree = await parsePython(source.replace(/\r(?!\n)/g, '\n'));
  try {
    return use({ source, root: tree.rootNode, eol: /\r\n|\r|\n/.exec(source)?.[0] ?? '\n' });
  } finally {
    tree.delete();
  }
}

/** `source` with each [start, end) replaced by its text (default: removed); ranges must not overlap. */
function cut(source: string, ranges: Array<[number, number, string?]>): string {
  return [...ranges]
    .sort((a, b) => b[0] - a[0])
    .reduce(
      ({ text, limit }, [start, end, insert]) => ({ text: text.slice(0, start) + (insert ?? '') + text.slice(Math.min(end, limit)), limit: start }),
      { text: source, limit: source.length },
    ).text;
}

/** The end of the line break after `index`'s line (or the end of the file). */
function afterLineBreak(source: string, index: number): number {
  const end = endOfLine(source, index);
  return source.startsWith('\r\n', end) ? end + 2 : end < source.length ? end + 1 : end;
}

/**
 * The first of `candidates` that `forward` turns back into `current`; else the first candidate,
 * the most natural removal. `preferred` are tried before the others (never the fallback): shapes
 * the forward step also produces from the same input, e.g. a tuple it wrapped because it grew too long.
 */
async function pick(current: string, candidates: string[], forward: (candidate: string) => Promise<string>, preferred: string[] = []): Promise<string> {
  const distinct = [...new Set([...preferred, ...candidates])].filter((candidate) => candidate !== current);
  const results = new Map<string, string | null>();
  for (const candidate of distinct) {
    try {
      results.set(candidate, await forward(candidate));
    } catch {
      results.set(candidate, null); // The forward step refuses this candidate: not the one.
    }
    if (results.get(candidate) === current) return candidate;
  }
  // A feature wired before others was inserted among them: the forward step would now put it
  // elsewhere. Keep the removal it turns into the same lines, in another order.
  const lines = (text: string): string => text.split(/\r\n|\r|\n/).sort().join('\n');
  const reordered = distinct.find((candidate) => results.get(candidate) !== null && lines(results.get(candidate)!) === lines(current));
  return reordered ?? candidates.find((candidate) => candidate !== current) ?? current;
}

/** Removals of whole statements (methods, classes, imports), each with the blank lines the forward edit put before it, or line by line. */
function statementRemovals(source: string, statements: SyntaxNode[]): string[] {
  const withPrevious = statements.map((node): [number, number] => {
    const previous = node.previousNamedSibling;
    return previous ? [endOfLine(source, previous.endIndex), endOfLine(source, node.endIndex)] : [startOfLine(source, node.startIndex), afterLineBreak(source, node.endIndex)];
  });
  const lines = statements.map((node): [number, number] => [startOfLine(source, node.startIndex), afterLineBreak(source, node.endIndex)]);
  // With the blank line after it: an import put right above the statement that needs it.
  const withNext = statements.map((node): [number, number] => [startOfLine(source, node.startIndex), afterLineBreak(source, afterLineBreak(source, node.endIndex))]);
  return [cut(source, withPrevious), cut(source, lines), cut(source, withNext)];
}

// ---------------------------------------------------------------------------------------------
// Names a module still uses

const IMPORTS = new Set(['import_statement', 'import_from_statement', 'future_import_statement']);

/** Names the module's code (imports aside) refers to, outside `excluded`; strings in `__all__` count. */
function usedNames(root: SyntaxNode, excluded: SyntaxNode[] = []): Set<string> {
  const used = new Set<string>();
  const skip = new Set(excluded.map((node) => `${node.startIndex}:${node.endIndex}`));
  const visit = (node: SyntaxNode): void => {
    if (IMPORTS.has(node.type) || skip.has(`${node.startIndex}:${node.endIndex}`)) return;
    if (node.type === 'identifier') {
      const parent = node.parent;
      const isAttributeName = parent?.type === 'attribute' && parent.childForFieldName('attribute')?.startIndex === node.startIndex;
      const isKeyword = parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.startIndex === node.startIndex;
      if (!isAttributeName && !isKeyword) used.add(node.text);
    }
    for (const child of node.children) if (child) visit(child);
  };
  visit(root);
  const all = findAssignment(root, '__all__')?.childForFieldName('right');
  for (const node of all ? named(all) : []) {
    const value = node.type === 'string' ? literalValue(node.text) : null;
    if (value !== null) used.add(value);
  }
  return used;
}

// ---------------------------------------------------------------------------------------------
// Imports

interface ImportItem {
  node: SyntaxNode;
  bound: string;
}

function importItems(statement: SyntaxNode): ImportItem[] {
  return statement.childrenForFieldName('name').flatMap((item) => {
    if (!item) return [];
    const bound = item.type === 'aliased_import' ? (item.childForFieldName('alias')?.text ?? item.text) : item.text;
    return [{ node: item, bound }];
  });
}

function importsOf(root: SyntaxNode, spec: FromImport): SyntaxNode[] {
  return named(root).filter(
    (node) => node.type === 'import_from_statement' && (spec.package === undefined ? moduleOf(node) === spec.module : resolvedModuleOf(node, spec.package) === spec.module),
  );
}

/** Ways to remove the imported name `name` of `spec` from the source. */
function nameRemovals({ source, root }: Parsed, spec: FromImport, name: string): string[] {
  const statement = importsOf(root, spec).find((node) => importItems(node).some((item) => item.bound === name));
  if (!statement) return [source];
  const items = importItems(statement);
  const index = items.findIndex((item) => item.bound === name);
  const item = items[index].node;
  if (items.length === 1) {
    const [withPrevious, lines, withNext] = statementRemovals(source, [statement]);
    return [lines, withPrevious, withNext];
  }
  const removals: string[] = [];
  const next = items[index + 1]?.node;
  const previous = items[index - 1]?.node;
  // A one-line import the forward edit wrapped in parentheses, one name per line, because it grew
  // too long: tried first, as the forward edit gives the same text from the wrapped import too.
  const open = statement.children.find((child) => child?.type === '(');
  if (open && statement.startPosition.row !== statement.endPosition.row) {
    const head = source.slice(statement.startIndex, open.startIndex).replace(/\s*$/, ' ');
    const rest = items.filter((_, i) => i !== index).map((other) => other.node.text);
    removals.push(cut(source, [[statement.startIndex, statement.endIndex, `${head}${rest.join(', ')}`]]));
  }
  if (next) removals.push(cut(source, [[item.startIndex, next.startIndex]]));
  if (previous) removals.push(cut(source, [[previous.endIndex, item.endIndex]]));
  return removals;
}

async function importRemovals(source: string, spec: FromImport, names: string[]): Promise<string[]> {
  if (names.length === 0) return [source];
  const [name, ...rest] = names;
  const variants = await withTree(source, (parsed) => nameRemovals(parsed, spec, name));
  const all: string[] = [];
  for (const variant of variants) all.push(...(await importRemovals(variant, spec, rest)));
  return all;
}

/** Undoes ensureFromImport(spec): removes the names of `spec` that it imports and no code in `used` needs. */
export async function removeFromImport(source: string, spec: FromImport, used: Set<string>, firstParty: string, context: EditContext): Promise<string> {
  const names = await withTree(source, ({ root }) => {
    const bound = new Set(importsOf(root, spec).flatMap((node) => importItems(node).map((item) => item.bound)));
    return spec.names.filter((name) => bound.has(name) && !used.has(name));
  });
  if (names.length === 0) return source;
  return pick(source, await importRemovals(source, spec, names), (candidate) => ensureFromImport(candidate, spec, firstParty, context));
}

// ---------------------------------------------------------------------------------------------
// Tuple and list literals

function elementRemovals({ source, root }: Parsed, spec: CollectionElement, file: string): { candidates: string[]; preferred: string[] } {
  const none = { candidates: [], preferred: [] };
  const assignment = findAssignment(root, spec.variable);
  if (!assignment) return none;
  const collection = assignment.childForFieldName('right');
  if (!collection || (collection.type !== 'tuple' && collection.type !== 'list')) {
    throw new PythonEditError(
      file,
      assignment.startPosition.row + 1,
      `expected ${spec.variable} to be assigned a tuple or list literal to remove ${spec.element} from, found "${collection?.text.split(/\r?\n/)[0] ?? ''}"; remove it by hand, or make it a literal again`,
    );
  }
  const elements = named(collection).filter((node) => node.type !== 'comment');
  const spellings = spec.imported ? importedSpellings(root, spec.imported) : new Set<string>();
  const index = elements.findIndex((node) => sameElement(node, spec.element, spellings));
  if (index === -1) return none;
  const element = elements[index];
  const next = elements[index + 1];
  const previous = elements[index - 1];
  const after = (node: SyntaxNode): SyntaxNode => (node.nextSibling?.type === ',' ? node.nextSibling : node);
  const open = collection.child(0)!;
  const close = collection.child(collection.childCount - 1)!;
  const isTuple = collection.type === 'tuple';
  const multiLine = open.endPosition.row !== close.startPosition.row;
  const removals: string[] = [];
  const preferred: string[] = [];
  // `(a, b)` came from `(a,)`: a one-element tuple keeps its comma.
  if (isTuple && elements.length === 2 && next) removals.push(cut(source, [[element.startIndex, next.startIndex], [next.endIndex, after(next).endIndex, ',']]));
  if (next) removals.push(cut(source, [[element.startIndex, next.startIndex]]));
  if (previous) {
    if (multiLine) removals.push(cut(source, [[endOfLine(source, after(previous).endIndex), endOfLine(source, after(element).endIndex)]]));
    if (isTuple && elements.length === 2 && !next) removals.push(cut(source, [[previous.endIndex, after(element).endIndex, ',']]));
    removals.push(cut(source, [[previous.endIndex, element.endIndex]]));
    removals.push(cut(source, [[after(previous).endIndex, after(element).endIndex]]));
  }
  if (elements.length === 1) {
    if (multiLine) removals.push(cut(source, [[startOfLine(source, element.startIndex), afterLineBreak(source, after(element).endIndex)]]));
    removals.push(cut(source, [[element.startIndex, after(element).endIndex]]));
    removals.push(cut(source, [[open.endIndex, close.startIndex]]));
  }
  if (multiLine) {
    // A one-line literal the forward edit wrapped, one element per line, because it grew too long.
    const rest = elements.filter((node) => node !== element).map((node) => node.text);
    const body = isTuple && rest.length === 1 ? `${rest[0]},` : rest.join(', ');
    preferred.push(cut(source, [[collection.startIndex, collection.endIndex, `${open.text}${body}${close.text}`]]));
  }
  return { candidates: removals, preferred };
}

/** Undoes ensureCollectionElement(spec): removes the element, found by meaning. */
export async function removeCollectionElement(source: string, spec: CollectionElement, context: EditContext): Promise<string> {
  const { candidates, preferred } = await withTree(source, (parsed) => elementRemovals(parsed, spec, context.file));
  if (candidates.length === 0) return source;
  return pick(source, candidates, (candidate) => ensureCollectionElement(candidate, spec, context), preferred);
}

// ---------------------------------------------------------------------------------------------
// Methods of a class, classes of a module

function definitionName(node: SyntaxNode): string | null {
  const definition = definitionOf(node);
  return definition.type === 'function_definition' || definition.type === 'class_definition' ? (definition.childForFieldName('name')?.text ?? null) : null;
}

function methodNodes(root: SyntaxNode, className: string, names: Set<string>): SyntaxNode[] {
  const body = findClass(root, className)?.childForFieldName('body');
  return body ? named(body).filter((node) => names.has(definitionName(node) ?? '')) : [];
}

/** Undoes ensureMethods: removes the methods of `className` that `methods` name. */
export async function removeMethods(source: string, className: string, methods: MethodSpec[], context: EditContext, requires: string[] = []): Promise<string> {
  const names = new Set(methods.map((method) => method.name));
  const candidates = await withTree(source, ({ root }) => {
    const nodes = methodNodes(root, className, names);
    return nodes.length === 0 ? [] : statementRemovals(source, nodes);
  });
  if (candidates.length === 0) return source;
  return pick(source, candidates, (candidate) => ensureMethods(candidate, className, methods, context, requires));
}

/** Undoes ensureClasses: removes the module-level classes that `classes` name. */
export async function removeClasses(source: string, classes: ClassSpec[], context: EditContext, requires: string[] = []): Promise<string> {
  const names = new Set(classes.map((spec) => spec.name));
  const candidates = await withTree(source, ({ root }) => {
    const nodes = named(root).filter((node) => names.has(definitionName(node) ?? ''));
    return nodes.length === 0 ? [] : statementRemovals(source, nodes);
  });
  if (candidates.length === 0) return source;
  return pick(source, candidates, (candidate) => ensureClasses(candidate, classes, context, requires));
}

// ---------------------------------------------------------------------------------------------
// The four shared modules. The specs mirror wiring.ts's wireFeatureInto*, step for step.

/** factory.py: the imports (while unused otherwise), then the feature's providers in RequestFactory. */
export async function unwireFeatureFromFactory(source: string, feature: FeatureWiring, context: EditContext): Promise<string> {
  const { imports, methods, requires } = factorySpecs(feature);
  const names = new Set(methods.map((method) => method.name));
  // What the module uses once the feature's providers are gone.
  const used = await withTree(source, ({ root }) => usedNames(root, methodNodes(root, 'RequestFactory', names)));
  let text = source;
  for (const spec of [...imports].reverse()) text = await removeFromImport(text, spec, used, feature.packageName, context);
  return removeMethods(text, 'RequestFactory', methods, context, requires);
}

/** http/routes/__init__.py: `<module>.router` from ROUTERS, then the import of `<module>` if nothing else uses it. */
export async function unwireFeatureFromRouter(source: string, feature: FeatureWiring, context: EditContext): Promise<string> {
  const routes = `${feature.packageName}.http.routes`;
  const withoutElement = await removeCollectionElement(source, routerElement(feature), context);
  const used = await withTree(withoutElement, ({ root }) => usedNames(root));
  return removeFromImport(withoutElement, { module: routes, names: [feature.module], package: routes, usedBy: ROUTERS_USE }, used, feature.packageName, context);
}

/** domain/repositories/tables.py: `"<module>"` from `__all__`, then the import of the ORM module. */
export async function unwireFeatureFromTables(source: string, feature: FeatureWiring, context: EditContext): Promise<string> {
  const repositories = `${feature.packageName}.domain.repositories`;
  const withoutElement = await removeCollectionElement(source, { variable: '__all__', element: JSON.stringify(feature.module), sorted: true }, context);
  const used = await withTree(withoutElement, ({ root }) => usedNames(root));
  return removeFromImport(withoutElement, { module: repositories, names: [feature.module], package: repositories }, used, feature.packageName, context);
}

/** domain/errors.py: the feature's error classes. */
export async function unwireFeatureFromErrors(source: string, feature: FeatureWiring, context: EditContext): Promise<string> {
  const bases = ['NotFoundError', 'ValidationFailedError', ...(feature.conflicts ? ['ConflictError'] : [])];
  return removeClasses(source, featureErrorClasses(feature), context, bases);
}
