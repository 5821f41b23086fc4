import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImportStatement, scanImports, tokenizePython } from './imports';

function summary(source: string): string[] {
  return scanImports(source).imports.map((found) => {
    const names = found.names.map((n) => (n.asname ? `${n.name} as ${n.asname}` : n.name)).join(', ');
    const flags = `${found.typeChecking ? ' [tc]' : ''}${found.nested ? ' [nested]' : ''}`;
    return `${found.line}:${found.col} ${found.kind} ${'.'.repeat(found.level)}${found.module} -> ${names}${flags}`;
  });
}

describe('scanImports', () => {
  it('reads plain, aliased, relative and parenthesised imports', () => {
    const source = [
      'import os, a.b as c',
      'from . import x',
      'from ..pkg.mod import (',
      '    first,',
      '    second as other,  # a comment',
      ')',
      'from .... import deep',
      'from x import *',
      'import a.\\',
      '    b',
    ].join('\n');
    expect(summary(source)).toEqual([
      '1:0 import os -> os',
      '1:0 import a.b -> a.b as c',
      '2:0 from . -> x',
      '3:0 from ..pkg.mod -> first, second as other',
      '7:0 from .... -> deep',
      '8:0 from x -> *',
      '9:0 import a.b -> a.b',
    ]);
  });

  it('ignores imports named in strings, comments and docstrings', () => {
    const source = [
      '"""Module docstring: import fastapi',
      'from sqlalchemy import text',
      '"""',
      "x = 'import os'  # import sys",
      'y = f"{value!r} from a import b {d["k"]}"',
      "z = rb'''import q'''",
      'def f():',
      '    """import inside docstring"""',
      '    return 1',
    ].join('\n');
    expect(summary(source)).toEqual([]);
  });

  it('flags imports in TYPE_CHECKING blocks and in functions and classes', () => {
    const source = [
      'from typing import TYPE_CHECKING',
      'if TYPE_CHECKING:',
      '    from a import B',
      '    import c',
      'else:',
      '    import d',
      'if typing.TYPE_CHECKING: import e',
      'def f():',
      '    import g',
      '    if x: import h',
      'class K:',
      '    from i import j',
      'import k; import l',
    ].join('\n');
    expect(summary(source)).toEqual([
      '1:0 from typing -> TYPE_CHECKING',
      '3:4 from a -> B [tc]',
      '4:4 import c -> c [tc]',
      '6:4 import d -> d',
      '7:25 import e -> e [tc]',
      '9:4 import g -> g [nested]',
      '10:10 import h -> h [nested]',
      '12:4 from i -> j [nested]',
      '13:0 import k -> k',
      '13:10 import l -> l',
    ]);
  });

  it('finds importlib.import_module and __import__ with literal names only', () => {
    const source = [
      'import importlib',
      'mod = importlib.import_module("pkg.plugins.a")',
      'rel = import_module(".sibling", __package__)',
      'dyn = importlib.import_module(name)',
      'old = __import__("json")',
      'fmt = importlib.import_module(f"pkg.{name}")',
    ].join('\n');
    expect(summary(source)).toEqual([
      '1:0 import importlib -> importlib',
      '2:6 dynamic pkg.plugins.a -> pkg.plugins.a',
      '3:6 dynamic .sibling -> sibling',
      '5:6 dynamic json -> json',
    ]);
  });

  it('reports lexical errors with their position instead of throwing', () => {
    expect(tokenizePython('x = "open\ny = 1\n').error).toMatchObject({ line: 1, message: 'unterminated string literal' });
    expect(tokenizePython('f(1, 2\n').error?.message).toBe("'(' was never closed");
    expect(tokenizePython('x = 1\ndef f(:\n    pass\n').error).toMatchObject({ line: 2, col: 5, message: "'(' was never closed" });
    expect(tokenizePython('x = 1)\n').error?.message).toBe("unmatched ')'");
    expect(tokenizePython('if x:\n        a\n    b\n').error?.message).toBe('unindent does not match any outer indentation level');
    expect(tokenizePython('').error).toBeUndefined();
    expect(tokenizePython('\ufeffimport os\r\nimport sys\r\n').lines).toHaveLength(2);
  });
});

// CPython's own parser is the oracle: same import list, file by file, over the standard library.
const STDLIB = '/usr/lib/python3.11';
const ORACLE = String.raw`
import ast, json, sys
out = {}
for path in sys.argv[1:]:
    try:
        raw = open(path, 'rb').read()
        tree = ast.parse(raw, path)
        lines = raw.decode('utf-8').splitlines(True)
    except Exception:
        continue
    def col(node):
        line = lines[node.lineno - 1].encode('utf-8')
        return len(line[:node.col_offset].decode('utf-8'))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append([node.lineno, col(node), 'import', alias.name, 0, [[alias.name, alias.asname]]])
        elif isinstance(node, ast.ImportFrom):
            found.append([node.lineno, col(node), 'from', node.module or '', node.level, [[a.name, a.asname] for a in node.names]])
    out[path] = sorted(found)
print(json.dumps(out))
`;

function pythonFiles(directory: string, into: string[]): string[] {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory() && !entry.name.startsWith('__pycache__') && entry.name !== 'site-packages' && entry.name !== 'dist-packages') pythonFiles(full, into);
    else if (entry.isFile() && entry.name.endsWith('.py')) into.push(full);
  }
  return into;
}

function asOracleRows(imports: ImportStatement[]): unknown[] {
  return imports
    .filter((found) => found.kind !== 'dynamic')
    .map((found) => [found.line, found.col, found.kind, found.module, found.level, found.names.map((n) => [n.name, n.asname ?? null])])
    .sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
}

describe('scanImports against CPython ast on the standard library', () => {
  it('finds the same imports in every file CPython can parse', () => {
    expect(existsSync(STDLIB), `${STDLIB} is missing: this test reads Debian's Python 3.11 standard library (apt-get install python3)`).toBe(true);
    const files = pythonFiles(STDLIB, []).filter((file) => statSync(file).size < 2_000_000).sort();
    expect(files.length).toBeGreaterThan(500);
    const oracle: Record<string, unknown[]> = {};
    for (let i = 0; i < files.length; i += 400) {
      const batch = files.slice(i, i + 400);
      Object.assign(oracle, JSON.parse(execFileSync('python3', ['-c', ORACLE, ...batch], { maxBuffer: 512 * 1024 * 1024 }).toString()));
    }
    const mismatches: string[] = [];
    let compared = 0;
    for (const file of files) {
      if (!(file in oracle)) continue;
      compared++;
      const ours = asOracleRows(scanImports(readFileSync(file, 'utf-8')).imports);
      const theirs = (oracle[file] as unknown[]).slice().sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) mismatches.push(`${file}\n  ours:   ${JSON.stringify(ours).slice(0, 400)}\n  cpython: ${JSON.stringify(theirs).slice(0, 400)}`);
    }
    expect(compared).toBeGreaterThan(500);
    expect(mismatches.slice(0, 5).join('\n')).toBe('');
  }, 120_000);
});
