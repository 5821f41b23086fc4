import { DEFAULT_RUFF_SETTINGS, formatPython, RuffSettings } from './format';
import { firstSyntaxError, parsePython, SyntaxNode } from './parser';

/**
 * Byte-preserving edits of Python source, located with tree-sitter.
 *
 * Every function takes the whole file, returns the whole file, and only inserts text: every
 * input character survives, in order (a one-line import or literal grown too long is wrapped
 * as ruff format would, only when that keeps them). Text outside the edit is kept as it was:
 * comments, quoting, CRLF, non-ASCII. web-tree-sitter parses JS strings as UTF-16, so
 * node indices are string indices and can be used with `slice` directly.
 */

/** A file the generator cannot edit safely; the message names the file, the line and what was expected. */
export class PythonEditError extends Error {
  /** The text `line` counts in, when an earlier edit of the same run had changed the file. */
  source?: string;

  constructor(
    readonly file: string,
    readonly line: number,
    readonly expected: string,
  ) {
    super(`${file}:${line}: ${expected}`);
    this.name = 'PythonEditError';
  }
}

export interface EditContext {
  /** Workspace path of the file, for error messages. */
  file: string;
  /** The project's ruff settings: inserted code is formatted with them. */
  settings?: RuffSettings;
  /**
   * CPython accepted the input and will judge the result, so tree-sitter only locates the edits:
   * its own parse errors (on input CPython accepts) refuse nothing.
   */
  cpythonJudges?: boolean;
}

export interface FromImport {
  module: string;
  names: string[];
  /** The package of the edited file, against which its relative imports resolve. */
  package?: string;
  /** The module-level statement that needs the names bound when the module runs. */
  usedBy?: UseSite;
}

/**
 * A module-level class or assignment that uses imported names. The names must be bound above
 * it, unless they appear only in annotations and the module has `from __future__ import annotations`.
 */
export interface UseSite {
  kind: 'class' | 'assignment';
  name: string;
  annotationsOnly: boolean;
}

interface Parsed {
  source: string;
  root: SyntaxNode;
  eol: string;
}

/** Runs `edit` on the parsed source, then frees the tree: web-tree-sitter trees live in wasm memory. */
async function withParsed<T>(source: string, context: EditContext, what: string, edit: (parsed: Parsed) => T): Promise<T> {
  // Python also ends lines with a lone CR, which tree-sitter does not; same length, same indices.
  const tree = await parsePython(source.replace(/\r(?!\n)/g, '\n'));
  try {
    if (!context.cpythonJudges) throwOnSyntaxError(source, tree.rootNode, context.file, what);
    return edit({ source, root: tree.rootNode, eol: /\r\n|\r|\n/.exec(source)?.[0] ?? '\n' });
  } catch (error) {
    if (error instanceof PythonEditError) error.source ??= source;
    throw error;
  } finally {
    tree.delete();
  }
}

function throwOnSyntaxError(source: string, root: SyntaxNode, file: string, what: string): void {
  const error = firstSyntaxError(root);
  if (error) {
    const near = source.slice(error.startIndex, Math.min(error.endIndex, error.startIndex + 40)).split(/\r?\n/)[0].trim();
    const detail = error.isMissing ? `a "${error.type}" is missing` : near ? `syntax error near "${near}"` : 'syntax error';
    throw new PythonEditError(
      file,
      error.startPosition.row + 1,
      `${what}: expected valid Python, but the file does not parse (${detail}). Fix it, then run the generator again.`,
    );
  }
}

/** Re-parses an edited file; an edit that breaks the syntax is a bug and must never be written. */
async function checked(source: string, context: EditContext): Promise<string> {
  if (context.cpythonJudges) return source;
  await withParsed(source, { file: context.file }, 'the edited file would not be valid Python, so nothing was written', () => undefined);
  return source;
}

function splice(source: string, start: number, end: number, text: string): string {
  return source.slice(0, start) + text + source.slice(end);
}

function withEol(text: string, eol: string): string {
  return text.replace(/\r?\n/g, eol);
}

/** Index just before the line ending of the line that holds `index`. */
export function endOfLine(source: string, index: number): number {
  // tree-sitter's comment tokens take the CR of a CRLF: never split the pair.
  if (index > 0 && source[index - 1] === '\r' && source[index] === '\n') return index - 1;
  const lineEnd = /[\r\n]/g;
  lineEnd.lastIndex = index;
  return lineEnd.exec(source)?.index ?? source.length;
}

export function startOfLine(source: string, index: number): number {
  return Math.max(source.lastIndexOf('\n', index - 1), source.lastIndexOf('\r', index - 1)) + 1;
}

function lastLineNumber(source: string): number {
  return source.replace(/(\r\n|\r|\n)$/, '').split(/\r\n|\r|\n/).length;
}

export function named(node: SyntaxNode): SyntaxNode[] {
  return node.namedChildren.filter((child): child is SyntaxNode => child !== null);
}

function formatSnippet(code: string, settings: RuffSettings | undefined): string {
  return formatPython(code, settings ?? DEFAULT_RUFF_SETTINGS).replace(/\n+$/, '');
}

// ---------------------------------------------------------------------------------------------
// Imports

interface ImportedName {
  /** Source text of the item, e.g. `A` or `A as B`. */
  text: string;
  /** The name it binds in the module. */
  bound: string;
  /** The name it imports. */
  member: string;
}

function importedNames(statement: SyntaxNode): ImportedName[] {
  return statement.childrenForFieldName('name').flatMap((item) => {
    if (!item) return [];
    if (item.type === 'aliased_import') {
      const member = item.childForFieldName('name')?.text ?? item.text;
      return [{ text: item.text, bound: item.childForFieldName('alias')?.text ?? member, member }];
    }
    return [{ text: item.text, bound: item.text, member: item.text }];
  });
}

export function moduleOf(statement: SyntaxNode): string {
  return (statement.childForFieldName('module_name')?.text ?? '').replace(/\s+/g, '');
}

/** isort's `order-by-type`: CONSTANTS, then Classes, then functions and variables. */
function memberKey(name: string): [number, string] {
  const rank = name.length > 1 && name === name.toUpperCase() ? 0 : name[0] === name[0].toUpperCase() && name[0] !== '_' ? 1 : 2;
  return [rank, name.toLowerCase()];
}

export function compareMembers(a: string, b: string): number {
  const [ra, na] = memberKey(a);
  const [rb, nb] = memberKey(b);
  if (ra !== rb) return ra - rb;
  if (na !== nb) return na < nb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareModules(a: string, b: string): number {
  const [la, lb] = [a.toLowerCase(), b.toLowerCase()];
  return la < lb ? -1 : la > lb ? 1 : 0;
}

function isFirstParty(module: string, firstParty: string): boolean {
  return module === firstParty || module.startsWith(`${firstParty}.`);
}

function renderFromImport(module: string, items: string[], settings: RuffSettings | undefined): string {
  const sorted = [...items].sort((a, b) => compareMembers(a.split(/\s+as\s+/)[0], b.split(/\s+as\s+/)[0]));
  return formatSnippet(`from ${module} import ${sorted.join(', ')}\n`, settings);
}

/**
 * Comments alone on the lines directly above a statement travel with it, so insert at the start
 * of the first such line (column 0, whatever the comment's indentation). A comment that ends the
 * previous statement's line stays with that line.
 */
export function startWithLeadingComments(source: string, statement: SyntaxNode): number {
  const own = startOfLine(source, statement.startIndex);
  let start = own;
  let row = statement.startPosition.row;
  for (let previous = statement.previousSibling; previous?.type === 'comment' && previous.endPosition.row === row - 1; previous = previous.previousSibling) {
    const lineStart = startOfLine(source, previous.startIndex);
    if (!/^[ \t\f]*$/.test(source.slice(lineStart, previous.startIndex))) break;
    start = lineStart;
    row = previous.startPosition.row;
  }
  // Comments that run up to line 1 head the file (shebang, coding cookie, licence): they stay first.
  return row === 0 ? own : start;
}

/**
 * Inserts `name` into an existing `from ... import` in its own style: at its isort place when
 * the names are sorted (else last), on a line of its own when the names stand one per line in
 * parentheses, else after a comma on the same line. Nothing of the statement is re-rendered,
 * except that a one-line import grown too long is wrapped as ruff format would, keeping its bytes.
 */
function insertImportedName(source: string, statement: SyntaxNode, name: string, eol: string, settings: RuffSettings | undefined): string {
  const items = statement.childrenForFieldName('name').filter((item): item is SyntaxNode => item !== null);
  const open = statement.children.find((child) => child?.type === '(') ?? null;
  const close = statement.children.find((child) => child?.type === ')') ?? null;
  const members = importedNames(statement).map((item) => item.member);
  const sorted = members.every((member, i) => i === 0 || compareMembers(members[i - 1], member) <= 0);
  const found = sorted ? members.findIndex((member) => compareMembers(member, name) > 0) : -1;
  const position = found === -1 ? items.length : found;
  const ownLine = (node: SyntaxNode): boolean => /^[ \t\f]*$/.test(source.slice(startOfLine(source, node.startIndex), node.startIndex));
  const vertical = open !== null && items.every(ownLine);

  if (position < items.length) {
    const before = items[position];
    const indent = source.slice(startOfLine(source, before.startIndex), before.startIndex);
    return splice(source, before.startIndex, before.startIndex, vertical ? `${name},${eol}${indent}` : `${name}, `);
  }
  const last = items[items.length - 1];
  const comma = last.nextSibling?.type === ',' ? last.nextSibling : null;
  if (vertical) {
    const indent = source.slice(startOfLine(source, last.startIndex), last.startIndex);
    const after = comma ?? last;
    if (close && close.startPosition.row === after.endPosition.row) {
      return splice(source, after.endIndex, after.endIndex, comma ? `${eol}${indent}${name},` : `,${eol}${indent}${name}`);
    }
    const lineEnd = endOfLine(source, after.endIndex);
    const withName = splice(source, lineEnd, lineEnd, `${eol}${indent}${name},`);
    return comma ? withName : splice(withName, last.endIndex, last.endIndex, ',');
  }
  const inline = splice(source, last.endIndex, last.endIndex, `, ${name}`);
  const single = statement.startPosition.row === statement.endPosition.row;
  const lineStart = startOfLine(inline, statement.startIndex);
  if (!single || [...inline.slice(lineStart, endOfLine(inline, statement.startIndex))].length <= lineLengthOf(settings)) return inline;
  // Too long for one line: one name per line in parentheses, as ruff format wraps it.
  const texts = items.map((item) => item.text);
  texts.push(name);
  const head = source.slice(statement.startIndex, (open ?? items[0]).startIndex).replace(/\s*$/, ' ');
  const wrapped = `${head}(${eol}${texts.map((text) => `    ${text},`).join(eol)}${eol})`;
  const original = source.slice(statement.startIndex, statement.endIndex);
  return isSubsequenceOf(original, wrapped) ? splice(source, statement.startIndex, statement.endIndex, wrapped) : inline;
}

function isSubsequenceOf(part: string, whole: string): boolean {
  let at = 0;
  for (const char of whole) if (at < part.length && char === part[at]) at += 1;
  return at === part.length;
}

/**
 * Makes `from <module> import <names>` true at module level, in the place ruff's isort would
 * put it among the first-party imports (`firstParty` is the app's package).
 */
export async function ensureFromImport(source: string, spec: FromImport, firstParty: string, context: EditContext): Promise<string> {
  return withParsed(source, context, `cannot add "from ${spec.module} import ..."`, (parsed) => {
    const statements = named(parsed.root);
    const fromImports = statements.filter((node) => node.type === 'import_from_statement');
    const existing = fromImports.filter((node) => moduleOf(node) === spec.module);
    // `from . import x` binds the same names, and is extended in its own spelling.
    const same = spec.package === undefined ? existing : fromImports.filter((node) => resolvedModuleOf(node, spec.package!) === spec.module);
    if (same.some((node) => node.namedChildren.some((child) => child?.type === 'wildcard_import'))) return source;
    const use = useSiteStart(parsed.root, spec.usedBy);
    const early = same.filter((node) => node.endIndex <= use);
    const bound = new Set(early.flatMap((node) => importedNames(node).map((item) => item.bound)));
    const missing = spec.names.filter((name) => !bound.has(name));
    if (missing.length === 0) return source;
    refuseLateBinding(source, same, missing, use, spec, context);

    const target = early.find((node) => !node.namedChildren.some((child) => child?.type === 'wildcard_import'));
    if (target) {
      const edited = insertImportedName(source, target, missing[0], parsed.eol, context.settings);
      // One name per pass: the next one is placed against the edited statement.
      return missing.length === 1 ? checked(edited, context) : ensureFromImport(edited, spec, firstParty, context);
    }

    const text = withEol(renderFromImport(spec.module, missing, context.settings), parsed.eol);
    const isEarly = (node: SyntaxNode): boolean => node.endIndex <= use;
    const firstPartyFrom = fromImports.filter((node) => isEarly(node) && isFirstParty(moduleOf(node), firstParty));
    const following = firstPartyFrom.find((node) => compareModules(moduleOf(node), spec.module) > 0);
    if (following) {
      const at = startWithLeadingComments(source, following);
      return checked(splice(source, at, at, text + parsed.eol), context);
    }
    const firstPartyPlain = statements.filter(
      (node) =>
        isEarly(node) &&
        node.type === 'import_statement' &&
        node.childrenForFieldName('name').some((name) => name !== null && isFirstParty(name.text.split(/\s+as\s+/)[0], firstParty)),
    );
    const previousInSection = firstPartyFrom.at(-1) ?? firstPartyPlain.at(-1);
    if (previousInSection) {
      const at = endOfLine(source, previousInSection.endIndex);
      return checked(splice(source, at, at, parsed.eol + text), context);
    }
    const anyImport = statements.filter((node) => isEarly(node) && ['import_statement', 'import_from_statement', 'future_import_statement'].includes(node.type)).at(-1);
    if (!anyImport) {
      if (use < source.length) {
        // No import above the statement that needs the names: they go right above it.
        const user = statements.find((node) => node.startIndex >= use)!;
        const at = startWithLeadingComments(source, user);
        return checked(splice(source, at, at, text + parsed.eol + parsed.eol), context);
      }
      throw new PythonEditError(
        context.file,
        1,
        `expected a block of import statements at the top of the file to add "from ${spec.module} import ${missing.join(', ')}" to; found none`,
      );
    }
    // A new first-party section: isort separates sections with one blank line.
    const at = endOfLine(source, anyImport.endIndex);
    return checked(splice(source, at, at, parsed.eol + parsed.eol + text), context);
  });
}

function hasFutureAnnotations(root: SyntaxNode): boolean {
  return named(root).some((node) => node.type === 'future_import_statement' && /\bannotations\b/.test(node.text));
}

/** Index of the statement that needs the names bound; the end of the source when nothing constrains them. */
function useSiteStart(root: SyntaxNode, use: UseSite | undefined): number {
  if (!use || (use.annotationsOnly && hasFutureAnnotations(root))) return Number.MAX_SAFE_INTEGER;
  const classes = named(root).filter((statement) => {
    const definition = definitionOf(statement);
    return use.kind === 'class' && definition.type === 'class_definition' && definition.childForFieldName('name')?.text === use.name;
  });
  if (classes.length > 0) return classes[classes.length - 1].startIndex;
  const assignment = use.kind === 'assignment' ? findAssignment(root, use.name) : null;
  return assignment ? assignment.startIndex : Number.MAX_SAFE_INTEGER;
}

/** A name the new code needs, imported only below the statement that uses it: importing it twice would hide the problem. */
function refuseLateBinding(source: string, same: SyntaxNode[], missing: string[], use: number, spec: FromImport, context: EditContext): void {
  for (const statement of same) {
    if (statement.endIndex <= use) continue;
    const late = importedNames(statement).find((item) => missing.includes(item.bound));
    if (!late) continue;
    const useLine = source.slice(0, use).split(/\r\n|\r|\n/).length;
    const what = spec.usedBy!.kind === 'class' ? `class ${spec.usedBy!.name}` : spec.usedBy!.name;
    throw new PythonEditError(
      context.file,
      statement.startPosition.row + 1,
      `expected ${late.bound} to be imported above ${what} (line ${useLine}), which needs it when the module runs; it is imported only here, below it. Move this import above line ${useLine}${spec.usedBy!.annotationsOnly ? ' (or add "from __future__ import annotations")' : ''}, then run the generator again.`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Tuple and list literals assigned at module level (`ROUTERS = (...)`, `__all__ = [...]`)

export interface CollectionElement {
  /** Module-level variable holding the tuple or list. */
  variable: string;
  /** Source text of the element, e.g. `recipes.router` or `"recipe"`. */
  element: string;
  /** Keep the collection sorted the way ruff's RUF022 sorts `__all__` (when it is sorted already). */
  sorted?: boolean;
  /**
   * The element is `attribute` of the module `module`, so it is present under any name the
   * file's imports bind to that module or attribute (`package` resolves relative imports).
   */
  imported?: { module: string; attribute: string; package: string };
}

const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** The `str` a literal's source text denotes, or null when it is not a plain `str` literal (bytes, f-string fields, `\N{...}`). */
export function literalValue(text: string): string | null {
  const literal = /^([rRuUfF]{0,2})('''|"""|'|")([\s\S]*)\2$/.exec(text);
  if (!literal) return null;
  const [, prefix, , body] = literal;
  const fString = /f/i.test(prefix);
  if (fString && /[{}]/.test(body)) return null;
  if (/r/i.test(prefix)) return body;
  let unknown = false;
  const value = body.replace(/\\(\r\n|\n|\r|[0-7]{1,3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]*\}|[\s\S])/g, (escape, code: string) => {
    if (/^(\r\n|\n|\r)$/.test(code)) return '';
    if (code in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[code];
    if (/^[0-7]/.test(code)) return String.fromCodePoint(parseInt(code, 8));
    const point = /^[xuU]./.test(code) ? parseInt(code.slice(1), 16) : -1;
    if (point >= 0 && point <= 0x10ffff) return String.fromCodePoint(point);
    if (point > 0x10ffff || /^N\{/.test(code)) unknown = true;
    return escape;
  });
  return unknown ? null : value;
}

/** The expression inside any number of parentheses (comments in them are not the expression). */
function unparenthesized(node: SyntaxNode): SyntaxNode {
  let inner = node;
  while (inner.type === 'parenthesized_expression') {
    const only = named(inner).filter((child) => child.type !== 'comment');
    if (only.length !== 1) break;
    inner = only[0];
  }
  return inner;
}

/** The value of a string expression, implicit concatenation and escapes applied; null when it is not one. */
function stringValue(node: SyntaxNode): string | null {
  const inner = unparenthesized(node);
  if (inner.type === 'string') return literalValue(inner.text);
  if (inner.type !== 'concatenated_string') return null;
  const parts = named(inner)
    .filter((child) => child.type !== 'comment')
    .map((child) => (child.type === 'string' ? literalValue(child.text) : null));
  return parts.every((part) => part !== null) ? parts.join('') : null;
}

/** `a.b.c` for a name or attribute chain, whatever parentheses and spacing; null otherwise. */
function dottedName(node: SyntaxNode): string | null {
  const inner = unparenthesized(node);
  if (inner.type === 'identifier') return inner.text;
  if (inner.type !== 'attribute') return null;
  const object = inner.childForFieldName('object');
  const attribute = inner.childForFieldName('attribute');
  const base = object ? dottedName(object) : null;
  return base !== null && attribute ? `${base}.${attribute.text}` : null;
}

/** Compared by meaning: a string by its value, a name by the dotted names it may be spelled as. */
export function sameElement(node: SyntaxNode, element: string, spellings: Set<string>): boolean {
  const wanted = literalValue(element);
  if (wanted !== null) return stringValue(node) === wanted;
  const name = dottedName(node);
  return name !== null && (name === element.replace(/\s+/g, '') || spellings.has(name));
}

function elementSortKey(node: SyntaxNode): string {
  return stringValue(node) ?? node.text;
}

/** RUF022's isort-style order: SCREAMING_CASE, then CamelCase, then the rest. */
function isSortedByRuf022(keys: string[]): boolean {
  return keys.every((key, i) => i === 0 || compareMembers(keys[i - 1], key) <= 0);
}

function lineLengthOf(settings: RuffSettings | undefined): number {
  const value = (settings ?? DEFAULT_RUFF_SETTINGS)['line-length'];
  return typeof value === 'number' ? value : 88;
}

/** The module-level assignment of `variable` that holds when the module has run: the last one. */
export function findAssignment(root: SyntaxNode, variable: string): SyntaxNode | null {
  let found: SyntaxNode | null = null;
  for (const statement of named(root)) {
    if (statement.type !== 'expression_statement') continue;
    const assignment = statement.namedChildren[0];
    if (assignment?.type === 'assignment' && assignment.childForFieldName('left')?.text === variable) found = assignment;
  }
  return found;
}

/** The absolute module an import statement names, relative imports resolved against `pkg`. */
export function resolvedModuleOf(statement: SyntaxNode, pkg: string): string | null {
  const name = statement.childForFieldName('module_name');
  if (name?.type !== 'relative_import') return moduleOf(statement);
  const dots = name.namedChildren.find((child) => child?.type === 'import_prefix')?.text.length ?? 1;
  const parts = pkg.split('.');
  if (dots - 1 >= parts.length) return null;
  const base = parts.slice(0, parts.length - (dots - 1)).join('.');
  const rest = name.namedChildren.find((child) => child?.type === 'dotted_name')?.text.replace(/\s+/g, '');
  return rest ? `${base}.${rest}` : base;
}

/** The dotted names under which module-level imports make `module.attribute` reachable. */
export function importedSpellings(root: SyntaxNode, imported: NonNullable<CollectionElement['imported']>): Set<string> {
  const { module, attribute } = imported;
  const spellings = new Set<string>();
  for (const statement of named(root)) {
    if (statement.type === 'import_from_statement') {
      const from = resolvedModuleOf(statement, imported.package);
      for (const item of importedNames(statement)) {
        const member = item.member.replace(/\s+/g, '');
        if (from !== null && `${from}.${member}` === module) spellings.add(`${item.bound}.${attribute}`);
        if (from === module && member === attribute) spellings.add(item.bound);
      }
    } else if (statement.type === 'import_statement') {
      for (const item of statement.childrenForFieldName('name')) {
        if (!item) continue;
        const dotted = (item.type === 'aliased_import' ? item.childForFieldName('name')?.text : item.text)?.replace(/\s+/g, '');
        const alias = item.type === 'aliased_import' ? item.childForFieldName('alias')?.text : undefined;
        if (dotted === module) spellings.add(`${alias ?? module}.${attribute}`);
      }
    }
  }
  return spellings;
}

/** Whether the collection already holds the element under a name one of the file's imports binds. */
export async function hasImportedElement(source: string, spec: CollectionElement, context: EditContext): Promise<boolean> {
  return withParsed(source, context, `cannot add ${spec.element} to ${spec.variable}`, (parsed) => {
    const collection = findAssignment(parsed.root, spec.variable)?.childForFieldName('right');
    if (!spec.imported || !collection || (collection.type !== 'tuple' && collection.type !== 'list')) return false;
    const spellings = importedSpellings(parsed.root, spec.imported);
    return named(collection).some((node) => {
      const name = dottedName(node);
      return name !== null && spellings.has(name);
    });
  });
}

/** Adds an element to a module-level tuple or list literal unless an equal element is there. */
export async function ensureCollectionElement(source: string, spec: CollectionElement, context: EditContext): Promise<string> {
  return withParsed(source, context, `cannot add ${spec.element} to ${spec.variable}`, (parsed) => {
    const assignment = findAssignment(parsed.root, spec.variable);
    if (!assignment) {
      throw new PythonEditError(
        context.file,
        lastLineNumber(source),
        `expected a module-level assignment "${spec.variable} = (...)" (a tuple or list literal) to add ${spec.element} to; found none`,
      );
    }
    const collection = assignment.childForFieldName('right');
    if (collection?.type === 'parenthesized_expression') {
      throw new PythonEditError(
        context.file,
        collection.startPosition.row + 1,
        `expected ${spec.variable} to be a tuple, but "${collection.text.replace(/\s+/g, '')}" is one value in parentheses (a one-element tuple needs a trailing comma: "(x,)"); fix it, then run the generator again`,
      );
    }
    if (!collection || (collection.type !== 'tuple' && collection.type !== 'list')) {
      throw new PythonEditError(
        context.file,
        assignment.startPosition.row + 1,
        `expected ${spec.variable} to be assigned a tuple or list literal, found "${collection?.text.split(/\r?\n/)[0] ?? ''}"; list ${spec.element} in it by hand, or make it a literal again`,
      );
    }
    const elements = named(collection).filter((node) => node.type !== 'comment');
    const spellings = spec.imported ? importedSpellings(parsed.root, spec.imported) : new Set<string>();
    if (elements.some((node) => sameElement(node, spec.element, spellings))) return source;

    const open = collection.child(0)!;
    const close = collection.child(collection.childCount - 1)!;
    const isTuple = collection.type === 'tuple';
    if (elements.length === 0 && open.endPosition.row === close.startPosition.row) {
      return checked(splice(source, open.endIndex, open.endIndex, isTuple ? `${spec.element},` : spec.element), context);
    }
    if (elements.length === 0) {
      // Empty across lines, perhaps holding comments: they stay, the element goes last on its own line.
      const blank = /^[ \t\f]*$/;
      const closeLine = startOfLine(source, close.startIndex);
      const closeIndent = source.slice(closeLine, close.startIndex);
      const commentIndents = named(collection)
        .filter((node) => node.type === 'comment')
        .map((node) => source.slice(startOfLine(source, node.startIndex), node.startIndex))
        .filter((text) => blank.test(text));
      const indent = commentIndents[0] ?? `${closeIndent}    `;
      if (blank.test(closeIndent)) {
        return checked(splice(source, closeLine, closeLine, `${indent}${spec.element},${parsed.eol}`), context);
      }
      return checked(splice(source, open.endIndex, open.endIndex, `${spec.element},`), context);
    }
    // Quote a new string element the way its neighbours are quoted.
    const singleQuoted = elements.some((node) => node.type === 'string' && node.text.startsWith("'"));
    if (singleQuoted && /^"[^"'\\]*"$/.test(spec.element)) spec = { ...spec, element: `'${spec.element.slice(1, -1)}'` };
    const keys = elements.map(elementSortKey);
    const newKey = spec.element.replace(/^["']|["']$/g, '');
    let position = elements.length;
    if (spec.sorted && isSortedByRuf022(keys)) {
      const index = keys.findIndex((key) => compareMembers(key, newKey) > 0);
      if (index !== -1) position = index;
    }
    const multiLine = open.endPosition.row !== close.startPosition.row;
    if (multiLine) {
      const first = elements[0];
      const indent = source.slice(startOfLine(source, first.startIndex), first.startIndex);
      if (!/^[ \t]*$/.test(indent)) {
        throw new PythonEditError(
          context.file,
          first.startPosition.row + 1,
          `expected the elements of ${spec.variable} one per line; add ${spec.element} by hand`,
        );
      }
      if (position < elements.length) {
        const before = elements[position];
        return checked(splice(source, before.startIndex, before.startIndex, `${spec.element},${parsed.eol}${indent}`), context);
      }
      const last = elements[elements.length - 1];
      const comma = last.nextSibling?.type === ',' ? last.nextSibling : null;
      const after = comma ?? last;
      if (close.startPosition.row === after.endPosition.row) {
        // `"metadata"]`: the new element goes on a line of its own, still inside the bracket.
        const text = comma ? `${parsed.eol}${indent}${spec.element},` : `,${parsed.eol}${indent}${spec.element}`;
        return checked(splice(source, after.endIndex, after.endIndex, text), context);
      }
      const lineEnd = endOfLine(source, after.endIndex);
      let edited = splice(source, lineEnd, lineEnd, `${parsed.eol}${indent}${spec.element},`);
      if (!comma) edited = splice(edited, last.endIndex, last.endIndex, ',');
      return checked(edited, context);
    }

    let edited: string;
    if (position < elements.length) {
      const before = elements[position];
      edited = splice(source, before.startIndex, before.startIndex, `${spec.element}, `);
    } else {
      const last = elements[elements.length - 1];
      // `(a,)` becomes `(a, b)`: a trailing comma would make ruff format explode the tuple.
      const end = isTuple && elements.length === 1 && last.nextSibling?.type === ',' ? last.nextSibling.endIndex : last.endIndex;
      edited = splice(source, last.endIndex, end, `, ${spec.element}`);
    }
    const statementStart = startOfLine(edited, assignment.startIndex);
    const lineEnd = endOfLine(edited, assignment.startIndex);
    if ([...edited.slice(statementStart, lineEnd)].length <= lineLengthOf(context.settings)) return checked(edited, context);

    // Too long for one line: one element per line with a trailing comma, as ruff format does.
    const statementIndent = source.slice(startOfLine(source, assignment.startIndex), assignment.startIndex);
    const texts = elements.map((node) => node.text);
    texts.splice(position, 0, spec.element);
    const body = texts.map((text) => `${statementIndent}    ${text},`).join(parsed.eol);
    const exploded = `${open.text}${parsed.eol}${body}${parsed.eol}${statementIndent}${close.text}`;
    // Spacing the wrapped form would drop keeps the long line instead.
    if (!isSubsequenceOf(collection.text, exploded)) return checked(edited, context);
    return checked(splice(source, collection.startIndex, collection.endIndex, exploded), context);
  });
}

// ---------------------------------------------------------------------------------------------
// Methods of a class, and classes of a module

export interface MethodSpec {
  name: string;
  /** The method's source, starting with `def` at column 0 (it is formatted and indented here). */
  text: string;
}

export function definitionOf(node: SyntaxNode): SyntaxNode {
  return node.type === 'decorated_definition' ? (node.childForFieldName('definition') ?? node) : node;
}

function definedNames(block: SyntaxNode): Set<string> {
  const names = new Set<string>();
  for (const statement of named(block)) {
    const definition = definitionOf(statement);
    const name = definition.childForFieldName('name');
    if ((definition.type === 'function_definition' || definition.type === 'class_definition') && name) names.add(name.text);
    const assignment = statement.type === 'expression_statement' ? statement.namedChildren[0] : null;
    if (assignment?.type === 'assignment' && assignment.childForFieldName('left')?.type === 'identifier') names.add(assignment.childForFieldName('left')!.text);
  }
  return names;
}

export /** Names the module-level imports bind (`import a.b` binds `a`). */
function importBoundNames(root: SyntaxNode): string[] {
  return named(root).flatMap((statement) => {
    if (statement.type === 'import_from_statement') return importedNames(statement).map((item) => item.bound);
    if (statement.type !== 'import_statement') return [];
    return statement.childrenForFieldName('name').flatMap((item) => {
      if (!item) return [];
      if (item.type === 'aliased_import') return [item.childForFieldName('alias')?.text ?? ''];
      return [item.text.split('.')[0].trim()];
    });
  });
}

/** The module-level class `name` that holds when the module has run: the last definition. */
export function findClass(root: SyntaxNode, name: string): SyntaxNode | null {
  let found: SyntaxNode | null = null;
  for (const statement of named(root)) {
    const definition = definitionOf(statement);
    if (definition.type === 'class_definition' && definition.childForFieldName('name')?.text === name) found = definition;
  }
  return found;
}

function formatMethod(className: string, method: MethodSpec, settings: RuffSettings | undefined): string[] {
  const indented = method.text.replace(/\n+$/, '').split('\n').map((line) => (line ? `    ${line}` : line));
  const formatted = formatSnippet(`class ${className}:\n${indented.join('\n')}\n`, settings);
  return formatted.split('\n').slice(1);
}

/**
 * Adds the methods that `className` (a module-level class) does not define yet, at the end of
 * its body. `requires` names members the new methods call, which the class must already have.
 */
export async function ensureMethods(source: string, className: string, methods: MethodSpec[], context: EditContext, requires: string[] = []): Promise<string> {
  return withParsed(source, context, `cannot add methods to class ${className}`, (parsed) => {
    const definition = findClass(parsed.root, className);
    if (!definition) {
      throw new PythonEditError(
        context.file,
        lastLineNumber(source),
        `expected a module-level class ${className} (it holds the request-scoped providers); found none. Restore it, then run the generator again.`,
      );
    }
    const body = definition.childForFieldName('body');
    const statements = body ? named(body) : [];
    const first = statements.find((node) => node.type !== 'comment');
    if (!body || !first || first.startPosition.row === definition.startPosition.row) {
      throw new PythonEditError(
        context.file,
        definition.startPosition.row + 1,
        `expected class ${className} to have an indented body on its own lines`,
      );
    }
    const present = definedNames(body);
    const absent = requires.filter((name) => !present.has(name));
    if (absent.length > 0) {
      throw new PythonEditError(
        context.file,
        definition.startPosition.row + 1,
        `expected class ${className} to define ${absent.join(', ')}, which the new providers call; restore ${absent.length === 1 ? 'it' : 'them'}, then run the generator again`,
      );
    }
    const missing = methods.filter((method) => !present.has(method.name));
    if (missing.length === 0) return source;
    const indent = source.slice(startOfLine(source, first.startIndex), first.startIndex);
    const unit = indent.startsWith('\t') ? '\t' : ' '.repeat(indent.length || 4);
    const lines = missing.flatMap((method) => [
      '',
      ...formatMethod(className, method, context.settings).map((line) => line.replace(/^( {4})+/, (spaces) => indent + unit.repeat(spaces.length / 4 - 1))),
    ]);
    const last = statements[statements.length - 1];
    const at = endOfLine(source, last.endIndex);
    return checked(splice(source, at, at, parsed.eol + lines.join(parsed.eol)), context);
  });
}

export interface ClassSpec {
  name: string;
  /** The class's source at column 0. */
  text: string;
}

/**
 * Appends the module-level classes that are not defined yet at the end of the module.
 * `requires` names module-level definitions they build on (their base classes).
 */
export async function ensureClasses(source: string, classes: ClassSpec[], context: EditContext, requires: string[] = []): Promise<string> {
  return withParsed(source, context, `cannot add ${classes.map((c) => c.name).join(', ')}`, (parsed) => {
    const present = new Set([...definedNames(parsed.root), ...importBoundNames(parsed.root)]);
    const absent = requires.filter((name) => !present.has(name));
    if (absent.length > 0) {
      throw new PythonEditError(
        context.file,
        lastLineNumber(source),
        `expected the base class${absent.length === 1 ? '' : 'es'} ${absent.join(', ')} at module level, to derive the new errors from; ${absent.length === 1 ? 'it is' : 'they are'} missing. Restore ${absent.length === 1 ? 'it' : 'them'}, then run the generator again.`,
      );
    }
    const missing = classes.filter((spec) => !present.has(spec.name));
    if (missing.length === 0) return source;
    const last = named(parsed.root).at(-1);
    const at = last ? endOfLine(source, last.endIndex) : 0;
    const text = missing.map((spec) => formatSnippet(spec.text, context.settings)).join('\n\n\n');
    const prefix = last ? '\n\n\n' : '';
    const suffix = at === source.length && !last ? '\n' : '';
    return checked(splice(source, at, at, withEol(prefix + text + suffix, parsed.eol)), context);
  });
}
