/**
 * Everything the rules need to know about one Python file, read from its tokens in one pass.
 * Facts depend on the file's text only (never on configuration), so they can be cached per file.
 */
import { Comment, detached, extractImports, ImportStatement, LexError, LogicalLine, statementsOf, Token, TokenKind, tokenizePython } from '../../python/imports';

export interface ClassFact {
  name: string;
  line: number;
  col: number;
  /** Base class expressions as dotted names (`Generic[T]` gives `Generic`). */
  bases: string[];
  /** Class keywords such as `metaclass=abc.ABCMeta`, as dotted names. */
  keywords: Record<string, string>;
  /** Decorator expressions as source-like text (`dataclass(frozen=True,slots=True)`). */
  decorators: string[];
  /** Defined at module level (not inside a function or another class). */
  topLevel: boolean;
}

export interface StatementFact {
  line: number;
  col: number;
  /** Names bound by the statement (`a, b = ...`). */
  targets: string[];
  /** Names read by the statement. */
  uses: string[];
  /** Dotted callee of an awaited call at the start of the value (`self._recipes.get`). */
  awaited?: string;
  /** Directly in the function body (not in a nested block). */
  direct: boolean;
}

export interface ParameterFact {
  name: string;
  annotation: string[];
}

export interface FunctionFact {
  name: string;
  line: number;
  col: number;
  /** The class whose body directly holds this function, if any. */
  className: string | null;
  isAsync: boolean;
  /** Dotted names in the return annotation (string annotations included). */
  returns: string[];
  /** `__init__` only: parameters with the dotted names of their annotations. */
  parameters?: ParameterFact[];
  /** `__init__` only: `self.<attr> = <name>` assignments. */
  selfAssignments?: { attr: string; value: string }[];
  /** Async functions with two or more awaits in their direct body: every statement of the body. */
  statements?: StatementFact[];
}

export interface ReferenceFact {
  /** Fully qualified name through the file's imports (`os.environ`), or `print` for the builtin. */
  name: string;
  line: number;
  col: number;
}

export type ControlFlowKind = 'if' | 'for' | 'while' | 'try' | 'match' | 'conditional expression' | 'comprehension' | 'filtered comprehension';

export interface ControlFlowFact {
  kind: ControlFlowKind;
  line: number;
  col: number;
}

export interface HttpStatusFact {
  /** `HTTPException`, `status.HTTP_404_NOT_FOUND`, `HTTPStatus.NOT_FOUND` or `status_code=404`, as written. */
  text: string;
  /** The numeric status when it is known. */
  code: number | null;
  line: number;
  col: number;
}

export interface InlineIgnore {
  rules: string[];
  reason: string;
  line: number;
  col: number;
  statementLine: number;
}

export interface FileFacts {
  imports: ImportStatement[];
  classes: ClassFact[];
  functions: FunctionFact[];
  references: ReferenceFact[];
  controlFlow: ControlFlowFact[];
  httpStatuses: HttpStatusFact[];
  ignores: InlineIgnore[];
  lines: number;
  error?: LexError;
}

/** Bump when the shape or meaning of facts changes: cached facts of older versions are discarded. */
export const FACTS_VERSION = 5;

/** Qualified names (and their attributes) that some rule reports when code uses them. */
export const WATCHED_NAMES = [
  'os.environ',
  'os.environb',
  'os.getenv',
  'os.getenvb',
  'os.putenv',
  'os.unsetenv',
  'logging.getLogger',
  'logging.basicConfig',
  'logging.debug',
  'logging.info',
  'logging.warning',
  'logging.warn',
  'logging.error',
  'logging.exception',
  'logging.critical',
  'logging.fatal',
  'logging.log',
];
const WATCHED = new Set(WATCHED_NAMES);

const KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else',
  'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise',
  'return', 'try', 'while', 'with', 'yield',
]);

const HTTP_STATUS_NAMES: Record<string, number> = {
  BAD_REQUEST: 400, UNAUTHORIZED: 401, PAYMENT_REQUIRED: 402, FORBIDDEN: 403, NOT_FOUND: 404, METHOD_NOT_ALLOWED: 405,
  NOT_ACCEPTABLE: 406, PROXY_AUTHENTICATION_REQUIRED: 407, REQUEST_TIMEOUT: 408, CONFLICT: 409, GONE: 410,
  LENGTH_REQUIRED: 411, PRECONDITION_FAILED: 412, REQUEST_ENTITY_TOO_LARGE: 413, CONTENT_TOO_LARGE: 413,
  REQUEST_URI_TOO_LONG: 414, UNSUPPORTED_MEDIA_TYPE: 415, UNPROCESSABLE_ENTITY: 422, UNPROCESSABLE_CONTENT: 422,
  LOCKED: 423, FAILED_DEPENDENCY: 424, TOO_EARLY: 425, UPGRADE_REQUIRED: 426, PRECONDITION_REQUIRED: 428,
  TOO_MANY_REQUESTS: 429, INTERNAL_SERVER_ERROR: 500, NOT_IMPLEMENTED: 501, BAD_GATEWAY: 502, SERVICE_UNAVAILABLE: 503,
  GATEWAY_TIMEOUT: 504,
};
const STATUS_KEYWORDS = new Set(['status_code', 'status', 'http_status', 'http_status_code']);
const IGNORE_COMMENT = /^#\s*layered:\s*ignore\[([^\]]*)\]\s*(.*)$/;

interface Scope {
  kind: 'class' | 'def';
  indent: number;
  name: string;
  fn?: FunctionFact;
  bodyIndent: number;
  directAwaits: number;
  /** Statements of an async function's body, kept only if it awaits twice or more. */
  statements: StatementFact[] | null;
}

function bindingsOf(imports: ImportStatement[]): Map<string, string> {
  const bindings = new Map<string, string>();
  for (const found of imports) {
    if (found.kind === 'import') {
      const alias = found.names[0];
      if (alias.asname) bindings.set(alias.asname, alias.name);
      else bindings.set(alias.name.split('.')[0], alias.name.split('.')[0]);
    } else if (found.kind === 'from' && found.level === 0) {
      for (const name of found.names) {
        if (name.name !== '*') bindings.set(name.asname ?? name.name, `${found.module}.${name.name}`);
      }
    }
  }
  return bindings;
}

/** Dotted name starting at `start` (`a.b.c`), and the index after it. */
function dottedAt(tokens: Token[], start: number): { name: string; end: number } {
  const parts = [tokens[start].value];
  let i = start + 1;
  while (tokens[i]?.value === '.' && tokens[i + 1]?.kind === TokenKind.Name) {
    parts.push(tokens[i + 1].value);
    i += 2;
  }
  return { name: parts.length === 1 ? parts[0] : parts.join('.'), end: i };
}

const DOTTED_IN_STRING = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/g;

/** Dotted names in an annotation, including those inside string (forward-reference) annotations. */
function annotationNames(tokens: Token[]): string[] {
  const names: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.kind === TokenKind.String) {
      for (const match of token.value.matchAll(DOTTED_IN_STRING)) names.push(detached(match[0]));
      continue;
    }
    if (token.kind !== TokenKind.Name || KEYWORDS.has(token.value) || tokens[i - 1]?.value === '.') continue;
    const dotted = dottedAt(tokens, i);
    names.push(dotted.name);
    i = dotted.end - 1;
  }
  return names;
}

/** Splits tokens at commas of the given bracket depth. */
function splitAtCommas(tokens: Token[]): Token[][] {
  const parts: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  for (const token of tokens) {
    if (token.kind === TokenKind.Op) {
      if (token.value === '(' || token.value === '[' || token.value === '{') depth++;
      else if (token.value === ')' || token.value === ']' || token.value === '}') depth--;
      else if (token.value === ',' && depth === 0) {
        parts.push(current);
        current = [];
        continue;
      }
    }
    current.push(token);
  }
  if (current.length > 0) parts.push(current);
  return parts;
}

function closingIndex(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const v = tokens[i].kind === TokenKind.Op ? tokens[i].value : '';
    if (v === '(' || v === '[' || v === '{') depth++;
    else if (v === ')' || v === ']' || v === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return tokens.length;
}

function readClass(statement: Token[], decorators: string[], topLevel: boolean): ClassFact {
  const nameToken = statement[1];
  const fact: ClassFact = { name: nameToken?.value ?? '', line: statement[0].line, col: statement[0].col, bases: [], keywords: {}, decorators, topLevel };
  if (statement[2]?.value === '(') {
    const close = closingIndex(statement, 2);
    for (const part of splitAtCommas(statement.slice(3, close))) {
      if (part.length === 0 || part[0].kind !== TokenKind.Name) continue;
      if (part[1]?.value === '=' && part[2]) {
        fact.keywords[part[0].value] = part[2].kind === TokenKind.Name ? dottedAt(part, 2).name : part[2].value;
      } else {
        fact.bases.push(dottedAt(part, 0).name);
      }
    }
  }
  return fact;
}

function readFunction(statement: Token[], className: string | null): FunctionFact {
  const isAsync = statement[0].value === 'async';
  const defIndex = isAsync ? 1 : 0;
  const name = statement[defIndex + 1]?.value ?? '';
  const fact: FunctionFact = { name, line: statement[0].line, col: statement[0].col, className, isAsync, returns: [] };
  const open = statement.findIndex((t, i) => i > defIndex && t.value === '(');
  const close = open >= 0 ? closingIndex(statement, open) : statement.length;
  const arrow = statement.findIndex((t, i) => i > close && t.value === '->');
  if (arrow >= 0) fact.returns = annotationNames(statement.slice(arrow + 1, statement.length - 1));
  if (name === '__init__' && open >= 0) {
    fact.parameters = [];
    fact.selfAssignments = [];
    for (const part of splitAtCommas(statement.slice(open + 1, close))) {
      const start = part.findIndex((t) => t.kind === TokenKind.Name);
      if (start < 0) continue;
      const colon = part.findIndex((t) => t.value === ':');
      const equals = part.findIndex((t, i) => i > start && t.value === '=');
      const annotation = colon >= 0 ? part.slice(colon + 1, equals > colon ? equals : part.length) : [];
      fact.parameters.push({ name: part[start].value, annotation: annotationNames(annotation) });
    }
  }
  return fact;
}

/** Top-level `=` of an assignment statement (not `==`, not inside brackets or a call's keyword). */
function assignmentIndex(statement: Token[]): number {
  let depth = 0;
  for (let i = 0; i < statement.length; i++) {
    const token = statement[i];
    if (token.kind !== TokenKind.Op) continue;
    const v = token.value;
    if (v === '(' || v === '[' || v === '{') depth++;
    else if (v === ')' || v === ']' || v === '}') depth--;
    else if (depth === 0 && (v === '=' || (v.length === 2 && v.endsWith('=') && v !== '==' && v !== '<=' && v !== '>=' && v !== '!=') || v.length === 3 && v.endsWith('='))) return i;
  }
  return -1;
}

function readStatement(statement: Token[], direct: boolean): StatementFact {
  const assignment = assignmentIndex(statement);
  const targets: string[] = [];
  const uses: string[] = [];
  let valueStart = 0;
  if (assignment >= 0) {
    const colon = statement.findIndex((t, i) => i < assignment && t.value === ':');
    for (const token of statement.slice(0, colon >= 0 ? colon : assignment)) {
      if (token.kind === TokenKind.Name && !KEYWORDS.has(token.value)) targets.push(token.value);
    }
    valueStart = assignment + 1;
  } else if (statement[0].value === 'for' || statement[0].value === 'async' || statement[0].value === 'with') {
    valueStart = 0;
  }
  for (let i = valueStart; i < statement.length; i++) {
    const token = statement[i];
    if (token.kind === TokenKind.Name && !KEYWORDS.has(token.value) && statement[i - 1]?.value !== '.') uses.push(token.value);
  }
  const fact: StatementFact = { line: statement[0].line, col: statement[0].col, targets, uses, direct };
  const value = statement.slice(valueStart);
  const awaitAt = value[0]?.value === 'return' ? 1 : 0;
  if (value[awaitAt]?.value === 'await' && value[awaitAt + 1]?.kind === TokenKind.Name) fact.awaited = dottedAt(value, awaitAt + 1).name;
  return fact;
}

function readIgnores(comments: Comment[]): InlineIgnore[] {
  const ignores: InlineIgnore[] = [];
  for (const comment of comments) {
    const match = IGNORE_COMMENT.exec(comment.text);
    if (!match) continue;
    const rules = match[1].split(',').map((rule) => rule.trim()).filter(Boolean);
    ignores.push({ rules, reason: match[2].trim(), line: comment.line, col: comment.col, statementLine: comment.statementLine });
  }
  return ignores;
}

function statusCode(text: string): number | null {
  const match = /^HTTP_(\d{3})_/.exec(text);
  return match ? Number(match[1]) : null;
}

// Control flow keywords: statement-level ones and those inside expressions (comprehensions, `x if c else y`).
function readControlFlow(logical: LogicalLine, out: ControlFlowFact[]): void {
  for (const statement of statementsOf(logical)) {
    for (let i = 0; i < statement.length; i++) {
      const token = statement[i];
      if (token.kind !== TokenKind.Name) continue;
      const atStart = i === 0 || (i === 1 && statement[0].value === 'async');
      const v = token.value;
      if (v === 'if' || v === 'elif') {
        // An `if` after a comprehension's `for` is its filter, reported with the comprehension.
        if (atStart) out.push({ kind: 'if', line: token.line, col: token.col });
        else if (!filtersComprehension(statement, i)) out.push({ kind: 'conditional expression', line: token.line, col: token.col });
      } else if (v === 'for') out.push({ kind: atStart ? 'for' : hasFilter(statement, i) ? 'filtered comprehension' : 'comprehension', line: token.line, col: token.col });
      else if ((v === 'while' || v === 'try') && atStart) out.push({ kind: v, line: token.line, col: token.col });
      else if (v === 'match' && i === 0 && statement[statement.length - 1].value === ':' && statement.length > 2 && statement[1].kind !== TokenKind.Op) {
        out.push({ kind: 'match', line: token.line, col: token.col });
      }
    }
  }
}

/** Whether the `if` at `at` follows a `for` in the same brackets (a comprehension filter). */
function filtersComprehension(statement: Token[], at: number): boolean {
  let depth = 0;
  for (let i = at - 1; i >= 0; i--) {
    const v = statement[i].kind === TokenKind.Op ? statement[i].value : '';
    if (v === ')' || v === ']' || v === '}') depth++;
    else if (v === '(' || v === '[' || v === '{') {
      if (depth === 0) return false;
      depth--;
    } else if (depth === 0 && statement[i].kind === TokenKind.Name && statement[i].value === 'for') return true;
  }
  return false;
}

/** Whether the comprehension whose `for` is at `at` has an `if` filter in the same brackets. */
function hasFilter(statement: Token[], at: number): boolean {
  let depth = 0;
  for (let i = at + 1; i < statement.length; i++) {
    const v = statement[i].kind === TokenKind.Op ? statement[i].value : '';
    if (v === '(' || v === '[' || v === '{') depth++;
    else if (v === ')' || v === ']' || v === '}') {
      if (depth === 0) return false;
      depth--;
    } else if (depth === 0 && statement[i].kind === TokenKind.Name && statement[i].value === 'if') return true;
  }
  return false;
}

/** Start of the dotted name that ends at `end` (`status` in `status.HTTP_404_NOT_FOUND`). */
function dottedStart(tokens: Token[], end: number): number {
  let start = end;
  while (start >= 2 && tokens[start - 1].value === '.' && tokens[start - 2].kind === TokenKind.Name) start -= 2;
  return start;
}

// Status constants are found on their own token, so `status.HTTP_404_NOT_FOUND` and
// `http.HTTPStatus.NOT_FOUND` count as well as the bare names.
function readStatuses(tokens: Token[], statuses: HttpStatusFact[]): void {
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.kind !== TokenKind.Name) continue;
    const v = token.value;
    const prev = tokens[i - 1];
    if (v === 'HTTPException') statuses.push({ text: v, code: null, line: token.line, col: token.col });
    else if ((v.startsWith('HTTP_') && statusCode(v) !== null) || (v === 'HTTPStatus' && tokens[i + 1]?.value === '.' && Object.hasOwn(HTTP_STATUS_NAMES, tokens[i + 2]?.value ?? ''))) {
      const start = dottedStart(tokens, i);
      const end = v === 'HTTPStatus' ? i + 2 : i;
      const text = tokens.slice(start, end + 1).map((t) => t.value).join('');
      statuses.push({ text, code: v === 'HTTPStatus' ? HTTP_STATUS_NAMES[tokens[end].value] : statusCode(v), line: tokens[start].line, col: tokens[start].col });
    } else if (STATUS_KEYWORDS.has(v) && prev?.value !== '.') {
      // `status_code=404` (keyword or assignment) and `status: int = 404`.
      let j = i + 1;
      if (tokens[j]?.value === ':') while (j < tokens.length && tokens[j].value !== '=') j++;
      const number = tokens[j]?.value === '=' ? tokens[j + 1] : undefined;
      if (number?.kind === TokenKind.Number && /^[1-5]\d\d$/.test(number.value)) {
        statuses.push({ text: `${v}=${number.value}`, code: Number(number.value), line: token.line, col: token.col });
      }
    }
  }
}

const WATCHED_ROOTS = [...new Set(WATCHED_NAMES.map((name) => name.slice(0, name.indexOf('.'))))];

/** Whether some binding can qualify to a watched name (`os`, `logging` or one of their attributes). */
function watchesSomething(bindings: Map<string, string>): boolean {
  for (const bound of bindings.values()) {
    for (const root of WATCHED_ROOTS) if (bound === root || bound.startsWith(`${root}.`)) return true;
  }
  return false;
}

function readReferences(tokens: Token[], bindings: Map<string, string>, out: ReferenceFact[]): void {
  const first = tokens[0].value;
  const isImport = first === 'import' || first === 'from';
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.kind !== TokenKind.Name) continue;
    const v = token.value;
    const prev = tokens[i - 1];
    if (isImport || prev?.value === '.' || prev?.value === 'def' || prev?.value === 'class') continue;
    if (v === 'print') {
      if (tokens[i + 1]?.value === '(' && !bindings.has('print')) out.push({ name: 'print', line: token.line, col: token.col });
      continue;
    }
    const bound = bindings.get(v);
    if (bound === undefined) continue;
    if (tokens[i + 1]?.value === '=' && prev && (prev.value === '(' || prev.value === ',')) continue; // keyword argument
    const dotted = dottedAt(tokens, i);
    const qualified = bound + dotted.name.slice(v.length);
    const parts = qualified.split('.');
    for (let n = 2; n <= parts.length; n++) {
      const candidate = parts.slice(0, n).join('.');
      if (WATCHED.has(candidate)) {
        out.push({ name: candidate, line: token.line, col: token.col });
        break;
      }
    }
    i = dotted.end - 1;
  }
}

/** Reads the facts of one Python source text. */
export function readFileFacts(source: string): FileFacts {
  const lex = tokenizePython(source.charCodeAt(0) === 0xfeff ? source.slice(1) : source);
  const imports = extractImports(lex);
  const bindings = bindingsOf(imports);
  const facts: FileFacts = {
    imports,
    classes: [],
    functions: [],
    references: [],
    controlFlow: [],
    httpStatuses: [],
    ignores: readIgnores(lex.comments),
    lines: lex.lines.length === 0 ? 0 : lex.lines[lex.lines.length - 1].tokens[lex.lines[lex.lines.length - 1].tokens.length - 1].line,
  };
  if (lex.error) facts.error = lex.error;
  const scopes: Scope[] = [];
  let decorators: string[] = [];
  // Cheap necessary conditions: most files use no watched name and no HTTP status, and skipping
  // the per-token passes that could only find nothing saves a large share of the scan.
  const mayReference = source.includes('print') || watchesSomething(bindings);
  const mayHaveStatus = source.includes('HTTP') || source.includes('status');
  for (const logical of lex.lines) {
    closeScopesAt(scopes, logical.indent);
    recordStatementInFunctions(logical, scopes);
    if (mayReference) readReferences(logical.tokens, bindings, facts.references);
    if (mayHaveStatus) readStatuses(logical.tokens, facts.httpStatuses);
    readControlFlow(logical, facts.controlFlow);
    const head = statementsOf(logical)[0];
    if (head[0].value === '@') {
      decorators.push(head.slice(1).map((t) => (t.kind === TokenKind.String ? JSON.stringify(t.value) : t.value)).join(''));
      continue;
    }
    readDeclaration(head, logical.indent, decorators, scopes, facts);
    decorators = [];
  }
  closeScopesAt(scopes, -1);
  return facts;
}

function closeScopesAt(scopes: Scope[], indent: number): void {
  while (scopes.length > 0 && indent <= scopes[scopes.length - 1].indent) {
    const scope = scopes.pop() as Scope;
    // Attached only when needed: `delete` would turn every function object into a slow, large dictionary.
    if (scope.fn && scope.statements && scope.directAwaits >= 2) scope.fn.statements = scope.statements;
  }
}

/** A `class` or `def` statement's facts, with the decorators above it; opens its scope. */
function readDeclaration(head: Token[], indent: number, decorators: string[], scopes: Scope[], facts: FileFacts): void {
  const first = head[0].value;
  if (head[head.length - 1].value !== ':') return;
  if (first === 'class') {
    facts.classes.push(readClass(head, decorators, scopes.length === 0));
    scopes.push({ kind: 'class', indent, name: head[1]?.value ?? '', bodyIndent: -1, directAwaits: 0, statements: null });
  } else if (first === 'def' || (first === 'async' && head[1]?.value === 'def')) {
    const enclosing = scopes[scopes.length - 1];
    const fn = readFunction(head, enclosing?.kind === 'class' ? enclosing.name : null);
    facts.functions.push(fn);
    scopes.push({ kind: 'def', indent, name: fn.name, fn, bodyIndent: -1, directAwaits: 0, statements: fn.isAsync ? [] : null });
  }
}

// Feeds a logical line to the innermost function: `__init__` self-assignments and async bodies.
function recordStatementInFunctions(logical: LogicalLine, scopes: Scope[]): void {
  const scope = scopes[scopes.length - 1];
  if (!scope || scope.kind !== 'def' || !scope.fn) return;
  if (scope.bodyIndent < 0) scope.bodyIndent = logical.indent;
  const fn = scope.fn;
  const direct = logical.indent === scope.bodyIndent;
  for (const statement of statementsOf(logical)) {
    if (fn.selfAssignments && direct && statement[0].value === 'self' && statement[1]?.value === '.' && statement[2]?.kind === TokenKind.Name) {
      const equals = assignmentIndex(statement);
      const value = statement.slice(equals + 1);
      if (equals > 0 && statement[equals].value === '=' && value.length === 1 && value[0].kind === TokenKind.Name) {
        fn.selfAssignments.push({ attr: statement[2].value, value: value[0].value });
      }
    }
    if (scope.statements) {
      const fact = readStatement(statement, direct);
      scope.statements.push(fact);
      if (direct && fact.awaited) scope.directAwaits++;
    }
  }
}
