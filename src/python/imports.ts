/**
 * A fast Python tokenizer and import scanner. It reads the source once, skips strings,
 * comments and docstrings, joins continuation lines and bracketed lines into logical lines,
 * and finds imports without building a syntax tree (a full parse costs ~5 MB/s per core).
 */

export const enum TokenKind {
  Name = 1,
  Op = 2,
  Number = 3,
  String = 4,
}

export interface Token {
  kind: TokenKind;
  /** Names, operators and numbers: their text. Strings: their contents without prefix and quotes. */
  value: string;
  /** 1-based line. */
  line: number;
  /** 0-based column in UTF-16 code units. */
  col: number;
}

export interface LogicalLine {
  tokens: Token[];
  /** `splitStatements(tokens)`, computed once on first use. */
  statements?: Token[][];
  /** Indentation width (tabs to multiples of 8), as Python's tokenizer measures it. */
  indent: number;
}

export interface Comment {
  text: string;
  line: number;
  col: number;
  /** First line of the logical line the comment belongs to (or its own line). */
  statementLine: number;
}

export interface LexError {
  message: string;
  line: number;
  col: number;
}

export interface LexResult {
  lines: LogicalLine[];
  comments: Comment[];
  error?: LexError;
}

const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
const THREE_CHAR_OPS = new Set(['**=', '//=', '>>=', '<<=', '...', '!=']);
const TWO_CHAR_OPS = new Set([
  '**', '//', '<<', '>>', '<=', '>=', '==', '!=', '->', ':=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@=',
]);

/** Characters that start no operator of two or three characters: `( ) [ ] { } , ;` and `~` (one-character strings allocate nothing). */
const SINGLE_CHAR_OPS = new Uint8Array(128);
for (const ch of '()[]{},;~') SINGLE_CHAR_OPS[ch.charCodeAt(0)] = 1;

function isIdentStart(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || code > 127;
}

function isIdentPart(code: number): boolean {
  return isIdentStart(code) || (code >= 48 && code <= 57);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * A copy of a long slice that does not keep the whole source alive: V8 shares the parent string
 * for slices of 13 or more characters, and facts outlive the source they came from.
 */
export function detached(text: string): string {
  return text.length >= 13 ? (' ' + text).slice(1) : text;
}

const STRING_PREFIX = /^(?:[rRbBuUfF]|[rR][bBfF]|[bBfF][rR])$/;

/** Splits Python source into logical lines of tokens. Never throws; a lexical problem is reported in `error`. */
export function tokenizePython(source: string): LexResult {
  const lines: LogicalLine[] = [];
  const comments: Comment[] = [];
  let error: LexError | undefined;
  const length = source.length;
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  let tokens: Token[] = [];
  let indent = 0;
  let atLineStart = true;
  const brackets: string[] = [];
  // Where each open bracket stands, so an unclosed one is reported where it was opened.
  const bracketPositions: Array<[number, number]> = [];
  const indents: number[] = [0];

  const fail = (message: string, errorLine: number, col: number): void => {
    error ??= { message, line: errorLine, col };
  };

  const endLogicalLine = (): void => {
    if (tokens.length > 0) {
      if (indent > indents[indents.length - 1]) indents.push(indent);
      else if (indent < indents[indents.length - 1]) {
        while (indents.length > 1 && indent < indents[indents.length - 1]) indents.pop();
        if (indent !== indents[indents.length - 1]) fail('unindent does not match any outer indentation level', tokens[0].line, 0);
      }
      lines.push({ tokens, indent });
      tokens = [];
    }
    atLineStart = true;
  };

  // Reads a string literal whose quote starts at `start`; returns the position after it.
  const readString = (start: number, prefix: string, tokenLine: number, tokenCol: number, emit: boolean): number => {
    const quote = source[start];
    const triple = source[start + 1] === quote && source[start + 2] === quote;
    const formatted = /[fF]/.test(prefix);
    let i = start + (triple ? 3 : 1);
    const contentStart = i;
    let depth = 0;
    while (i < length) {
      const ch = source.charCodeAt(i);
      if (ch === 92 /* \ */) {
        if (source.charCodeAt(i + 1) === 10) {
          line++;
          lineStart = i + 2;
        } else if (source.charCodeAt(i + 1) === 13) {
          line++;
          lineStart = source.charCodeAt(i + 2) === 10 ? i + 3 : i + 2;
          if (source.charCodeAt(i + 2) === 10) i++;
        }
        i += 2;
        continue;
      }
      if (ch === 10 || ch === 13) {
        if (!triple && depth === 0) {
          fail('unterminated string literal', tokenLine, tokenCol);
          return i;
        }
        if (ch === 13 && source.charCodeAt(i + 1) === 10) i++;
        line++;
        lineStart = i + 1;
        i++;
        continue;
      }
      if (formatted) {
        if (ch === 123 /* { */) {
          if (depth === 0 && source.charCodeAt(i + 1) === 123) {
            i += 2;
            continue;
          }
          depth++;
          i++;
          continue;
        }
        if (ch === 125 /* } */ && depth > 0) {
          depth--;
          i++;
          continue;
        }
        // Python 3.12 allows the same quote inside a replacement field: skip that nested string.
        if (depth > 0 && (ch === 39 || ch === 34)) {
          i = readString(i, '', line, i - lineStart, false);
          continue;
        }
      }
      if (ch === quote.charCodeAt(0)) {
        if (!triple) {
          if (emit) tokens.push({ kind: TokenKind.String, value: source.slice(contentStart, i), line: tokenLine, col: tokenCol });
          return i + 1;
        }
        if (source[i + 1] === quote && source[i + 2] === quote) {
          if (emit) tokens.push({ kind: TokenKind.String, value: source.slice(contentStart, i), line: tokenLine, col: tokenCol });
          return i + 3;
        }
      }
      i++;
    }
    fail(triple ? 'unterminated triple-quoted string literal' : 'unterminated string literal', tokenLine, tokenCol);
    return length;
  };

  while (pos < length) {
    const code = source.charCodeAt(pos);

    if (atLineStart && brackets.length === 0) {
      // Measure indentation of a new physical line that may start a logical line.
      let width = 0;
      let i = pos;
      for (; i < length; i++) {
        const c = source.charCodeAt(i);
        if (c === 32) width++;
        else if (c === 9) width = (Math.floor(width / 8) + 1) * 8;
        else if (c === 12) width = 0;
        else break;
      }
      const next = source.charCodeAt(i);
      if (i >= length || next === 10 || next === 13 || next === 35 /* # */) {
        pos = i; // blank or comment-only line: no indentation change
        atLineStart = false;
        continue;
      }
      if (next === 92 && (source.charCodeAt(i + 1) === 10 || source.charCodeAt(i + 1) === 13) && tokens.length === 0) {
        pos = i;
        atLineStart = false;
        continue;
      }
      if (tokens.length === 0) indent = width;
      atLineStart = false;
      pos = i;
      continue;
    }

    if (code === 10 || code === 13) {
      if (code === 13 && source.charCodeAt(pos + 1) === 10) pos++;
      pos++;
      line++;
      lineStart = pos;
      if (brackets.length === 0) endLogicalLine();
      continue;
    }
    if (code === 32 || code === 9 || code === 12) {
      pos++;
      continue;
    }
    if (code === 35 /* # */) {
      let end = source.indexOf('\n', pos);
      if (end === -1) end = length;
      let text = source.slice(pos, end);
      if (text.endsWith('\r')) text = text.slice(0, -1);
      comments.push({ text, line, col: pos - lineStart, statementLine: tokens.length > 0 ? tokens[0].line : line });
      pos = end;
      continue;
    }
    if (code === 92 /* \ */) {
      const next = source.charCodeAt(pos + 1);
      if (next === 10 || next === 13) {
        pos += next === 13 && source.charCodeAt(pos + 2) === 10 ? 3 : 2;
        line++;
        lineStart = pos;
        continue;
      }
      if (pos + 1 >= length) {
        pos++;
        continue;
      }
      fail('unexpected character after line continuation character', line, pos - lineStart);
      pos++;
      continue;
    }
    const tokenLine = line;
    const tokenCol = pos - lineStart;
    if (isIdentStart(code)) {
      let end = pos + 1;
      while (end < length && isIdentPart(source.charCodeAt(end))) end++;
      const word = source.slice(pos, end);
      const after = source.charCodeAt(end);
      if ((after === 39 || after === 34) && word.length <= 2 && STRING_PREFIX.test(word)) {
        pos = readString(end, word, tokenLine, tokenCol, true);
        continue;
      }
      tokens.push({ kind: TokenKind.Name, value: detached(word), line: tokenLine, col: tokenCol });
      pos = end;
      continue;
    }
    if (code === 39 || code === 34) {
      pos = readString(pos, '', tokenLine, tokenCol, true);
      continue;
    }
    if (isDigit(code) || (code === 46 && isDigit(source.charCodeAt(pos + 1)))) {
      let end = pos + 1;
      while (end < length) {
        const c = source.charCodeAt(end);
        if (isIdentPart(c) || c === 46) end++;
        else if ((c === 43 || c === 45) && /[eE]/.test(source[end - 1]) && !/^0[xX]/.test(source.slice(pos, end))) end++;
        else break;
      }
      tokens.push({ kind: TokenKind.Number, value: source.slice(pos, end), line: tokenLine, col: tokenCol });
      pos = end;
      continue;
    }
    let op: string;
    if (code < 128 && SINGLE_CHAR_OPS[code] === 1) op = source[pos];
    else {
      const three = source.slice(pos, pos + 3);
      const two = source.slice(pos, pos + 2);
      if (THREE_CHAR_OPS.has(three)) op = three;
      else if (TWO_CHAR_OPS.has(two)) op = two;
      else op = source[pos];
    }
    if (op === '(' || op === '[' || op === '{') {
      brackets.push(op);
      bracketPositions.push([tokenLine, tokenCol]);
    } else if (op === ')' || op === ']' || op === '}') {
      const open = brackets.pop();
      const openedAt = bracketPositions.pop();
      if (open !== CLOSERS[op]) {
        fail(open ? `closing parenthesis '${op}' does not match opening parenthesis '${open}'` : `unmatched '${op}'`, tokenLine, tokenCol);
        if (open && openedAt) {
          brackets.push(open);
          bracketPositions.push(openedAt);
        }
      }
    } else if (op === '$' || op === '?' || op === '`') {
      fail(`invalid character '${op}'`, tokenLine, tokenCol);
    }
    tokens.push({ kind: TokenKind.Op, value: op, line: tokenLine, col: tokenCol });
    pos += op.length;
  }
  if (brackets.length > 0) {
    const [openLine, openCol] = bracketPositions[bracketPositions.length - 1];
    fail(`'${brackets[brackets.length - 1]}' was never closed`, openLine, openCol);
  }
  endLogicalLine();
  return error ? { lines, comments, error } : { lines, comments };
}

export interface ImportedName {
  name: string;
  asname?: string;
  line: number;
  col: number;
}

export interface ImportStatement {
  /** `import a.b` / `from a import b` / `importlib.import_module("a")`, `__import__("a")`. */
  kind: 'import' | 'from' | 'dynamic';
  /** Dotted module without leading dots; '' for `from . import x`. */
  module: string;
  /** Number of leading dots of a relative import; 0 for absolute ones. */
  level: number;
  /** `import`: one name (the module) per statement alias; `from`: the imported names. */
  names: ImportedName[];
  line: number;
  col: number;
  /** Inside an `if TYPE_CHECKING:` block (absent when not: facts of large projects stay small). */
  typeChecking?: true;
  /** Inside a function or class body rather than at module level. */
  nested?: true;
}

const COMPOUND_KEYWORDS = new Set(['if', 'elif', 'else', 'for', 'while', 'try', 'except', 'finally', 'with', 'def', 'class', 'async']);

/** The statements of a logical line, split once and remembered. */
export function statementsOf(line: LogicalLine): Token[][] {
  line.statements ??= splitStatements(line.tokens);
  return line.statements;
}

/** Splits a logical line into statements: at `;` and after the header colon of a compound statement. */
export function splitStatements(tokens: Token[]): Token[][] {
  const statements: Token[][] = [];
  let start = 0;
  while (start < tokens.length) {
    const first = tokens[start];
    let depth = 0;
    let end = start;
    let headerColon = -1;
    const compound = first.kind === TokenKind.Name && COMPOUND_KEYWORDS.has(first.value);
    let lambdas = 0;
    for (; end < tokens.length; end++) {
      const token = tokens[end];
      if (token.kind !== TokenKind.Op) {
        if (token.kind === TokenKind.Name && token.value === 'lambda' && depth === 0) lambdas++;
        continue;
      }
      const v = token.value;
      if (v === '(' || v === '[' || v === '{') depth++;
      else if (v === ')' || v === ']' || v === '}') depth--;
      else if (depth === 0 && v === ';') break;
      else if (depth === 0 && v === ':' && compound) {
        if (lambdas > 0) {
          lambdas--;
          continue;
        }
        headerColon = end;
        break;
      }
    }
    if (headerColon >= 0) {
      statements.push(tokens.slice(start, headerColon + 1));
      start = headerColon + 1;
      continue;
    }
    if (end > start) statements.push(start === 0 && end >= tokens.length ? tokens : tokens.slice(start, end));
    start = end + 1;
  }
  return statements;
}

function isTypeCheckingTest(tokens: Token[]): boolean {
  // `if TYPE_CHECKING:` or `if typing.TYPE_CHECKING:` (any module alias).
  if (tokens.length < 3 || tokens[0].value !== 'if' || tokens[tokens.length - 1].value !== ':') return false;
  const test = tokens.slice(1, -1).map((t) => t.value).join('');
  return test === 'TYPE_CHECKING' || /^[A-Za-z_][A-Za-z0-9_]*\.TYPE_CHECKING$/.test(test);
}

function readDotted(tokens: Token[], start: number): { name: string; end: number } {
  const parts: string[] = [];
  let i = start;
  while (i < tokens.length && tokens[i].kind === TokenKind.Name) {
    parts.push(tokens[i].value);
    if (tokens[i + 1]?.value === '.' && tokens[i + 2]?.kind === TokenKind.Name) i += 2;
    else {
      i++;
      break;
    }
  }
  // join() builds one flat string; `+=` would keep a tree of pieces per module name.
  return { name: parts.length === 1 ? parts[0] : parts.join('.'), end: i };
}

function withFlags(statement: ImportStatement, typeChecking: boolean, nested: boolean): ImportStatement {
  if (typeChecking) statement.typeChecking = true;
  if (nested) statement.nested = true;
  return statement;
}

function parseImport(tokens: Token[], typeChecking: boolean, nested: boolean): ImportStatement[] {
  const results: ImportStatement[] = [];
  const head = tokens[0];
  let i = 1;
  while (i < tokens.length) {
    const dotted = readDotted(tokens, i);
    if (!dotted.name) break;
    const alias: ImportedName = { name: dotted.name, line: tokens[i].line, col: tokens[i].col };
    i = dotted.end;
    if (tokens[i]?.value === 'as' && tokens[i + 1]?.kind === TokenKind.Name) {
      alias.asname = tokens[i + 1].value;
      i += 2;
    }
    results.push(withFlags({ kind: 'import', module: dotted.name, level: 0, names: [alias], line: head.line, col: head.col }, typeChecking, nested));
    if (tokens[i]?.value !== ',') break;
    i++;
  }
  return results;
}

function parseFromImport(tokens: Token[], typeChecking: boolean, nested: boolean): ImportStatement | undefined {
  const head = tokens[0];
  let i = 1;
  let level = 0;
  while (tokens[i]?.value === '.' || tokens[i]?.value === '...') {
    level += tokens[i].value.length;
    i++;
  }
  const dotted = tokens[i]?.value === 'import' ? { name: '', end: i } : readDotted(tokens, i);
  i = dotted.end;
  if (tokens[i]?.value !== 'import') return undefined;
  i++;
  const names: ImportedName[] = [];
  for (; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.value === '(' || token.value === ')' || token.value === ',') continue;
    if (token.value === '*') {
      names.push({ name: '*', line: token.line, col: token.col });
      continue;
    }
    if (token.kind !== TokenKind.Name) continue;
    const name: ImportedName = { name: token.value, line: token.line, col: token.col };
    if (tokens[i + 1]?.value === 'as' && tokens[i + 2]?.kind === TokenKind.Name) {
      name.asname = tokens[i + 2].value;
      i += 2;
    }
    names.push(name);
  }
  return withFlags({ kind: 'from', module: dotted.name, level, names, line: head.line, col: head.col }, typeChecking, nested);
}

// `importlib.import_module("a.b")`, `import_module(".b", __package__)`, `__import__("a")`.
function findDynamicImports(tokens: Token[], typeChecking: boolean, nested: boolean, out: ImportStatement[]): void {
  for (let i = 0; i + 2 < tokens.length; i++) {
    const token = tokens[i];
    if (token.kind !== TokenKind.Name) continue;
    if (token.value !== 'import_module' && token.value !== '__import__') continue;
    if (tokens[i + 1].value !== '(' || tokens[i + 2].kind !== TokenKind.String) continue;
    const after = tokens[i + 3]?.value;
    if (after !== ')' && after !== ',') continue;
    const prev = tokens[i - 1];
    if (prev?.value === '.' && tokens[i - 2]?.value !== 'importlib') continue;
    if (prev?.value === 'def') continue;
    const literal = detached(tokens[i + 2].value);
    if (!/^\.*[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(literal)) continue;
    const level = literal.length - literal.replace(/^\.+/, '').length;
    const start = prev?.value === '.' ? tokens[i - 2] : token;
    out.push(withFlags({
      kind: 'dynamic',
      module: literal.slice(level),
      level: token.value === '__import__' ? 0 : level,
      names: [{ name: literal.slice(level), line: tokens[i + 2].line, col: tokens[i + 2].col }],
      line: start.line,
      col: start.col,
    }, typeChecking, nested));
  }
}

export interface ImportScan {
  imports: ImportStatement[];
  error?: LexError;
}

/** Every import of a module, in source order, with `if TYPE_CHECKING:` and nesting flags. */
export function extractImports(lex: LexResult): ImportStatement[] {
  const imports: ImportStatement[] = [];
  // Indents of the open `def`/`class` headers and `if TYPE_CHECKING:` blocks around the current line.
  const scopes: number[] = [];
  const typeCheckingBlocks: number[] = [];
  for (const logical of lex.lines) {
    while (scopes.length > 0 && logical.indent <= scopes[scopes.length - 1]) scopes.pop();
    while (typeCheckingBlocks.length > 0 && logical.indent <= typeCheckingBlocks[typeCheckingBlocks.length - 1]) typeCheckingBlocks.pop();
    let nested = scopes.length > 0;
    let typeChecking = typeCheckingBlocks.length > 0;
    const statements = statementsOf(logical);
    for (let index = 0; index < statements.length; index++) {
      const statement = statements[index];
      const first = statement[0];
      const isLast = index === statements.length - 1;
      if (first.kind === TokenKind.Name) {
        if (first.value === 'import') {
          imports.push(...parseImport(statement, typeChecking, nested));
          continue;
        }
        if (first.value === 'from') {
          const parsed = parseFromImport(statement, typeChecking, nested);
          if (parsed) {
            imports.push(parsed);
            continue;
          }
        }
        const opensScope = first.value === 'def' || first.value === 'class' || (first.value === 'async' && statement[1]?.value === 'def');
        if (opensScope && statement[statement.length - 1].value === ':') {
          if (isLast) scopes.push(logical.indent);
          nested = true;
          findDynamicImports(statement, typeChecking, nested, imports);
          continue;
        }
        if (isTypeCheckingTest(statement)) {
          if (isLast) typeCheckingBlocks.push(logical.indent);
          typeChecking = true;
          continue;
        }
      }
      findDynamicImports(statement, typeChecking, nested, imports);
    }
  }
  return imports;
}

/** Tokenizes and extracts imports in one call. */
export function scanImports(source: string): ImportScan {
  const lex = tokenizePython(source);
  const imports = extractImports(lex);
  return lex.error ? { imports, error: lex.error } : { imports };
}
