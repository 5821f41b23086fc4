import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureCollectionElement, ensureFromImport, literalValue, PythonEditError } from './edit';
import { formatPython, lintPython } from './format';
import { firstSyntaxError, parsePython } from './parser';
import { FeatureWiring, wireFeatureIntoErrors, wireFeatureIntoFactory, wireFeatureIntoRouter, wireFeatureIntoTables } from './wiring';

const FIXTURES = path.join(__dirname, '__fixtures__', 'wiring');

const RECIPE: FeatureWiring = {
  packageName: 'api',
  module: 'recipe',
  className: 'Recipe',
  label: 'recipe',
  concurrentReads: true,
  writes: true,
  conflicts: true,
};

// The fixture folder's prefix says which shared module of the app the input is.
const WIRE: Record<string, (source: string, feature: FeatureWiring, context: { file: string }) => Promise<string>> = {
  factory: wireFeatureIntoFactory,
  router: wireFeatureIntoRouter,
  tables: wireFeatureIntoTables,
  errors: wireFeatureIntoErrors,
};

const cases = readdirSync(FIXTURES).sort();

function read(file: string): string {
  return readFileSync(file, 'utf-8');
}

describe('wiring a feature into hand-edited app modules', () => {
  it('has a corpus of at least 20 shapes', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases)('%s', async (name) => {
    const wire = WIRE[name.split('-')[0]];
    const folder = path.join(FIXTURES, name);
    const input = read(path.join(folder, 'input.py'));
    const file = `apps/api/src/api/${name}.py`;
    const expectedError = path.join(folder, 'expected-error.txt');
    if (existsSync(expectedError)) {
      const error: unknown = await wire(input, RECIPE, { file }).then(
        () => null,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(PythonEditError);
      expect((error as Error).message).toBe(read(expectedError).replace(/\n$/, '').replace('<file>', file));
      return;
    }
    const expected = read(path.join(folder, 'expected.py'));
    const output = await wire(input, RECIPE, { file });
    expect(output).toBe(expected);
    expect(firstSyntaxError((await parsePython(output)).rootNode)).toBeNull();
    // Wiring twice changes nothing.
    expect(await wire(output, RECIPE, { file })).toBe(output);
    // A ruff-formatted file stays ruff-formatted.
    if (!input.includes('\r\n') && !input.includes('\t') && formatPython(input) === input) {
      expect(formatPython(output)).toBe(output);
    }
    // Imports stay isort-sorted and `__all__` stays sorted, as `ruff check` wants them.
    const sortedImports = { 'line-length': 88, lint: { select: ['I', 'RUF022'], isort: { 'known-first-party': ['api'] } } };
    expect(lintPython(output.replace(/\r\n/g, '\n'), sortedImports)).toEqual(lintPython(input.replace(/\r\n/g, '\n'), sortedImports));
  });
});

describe('ensureFromImport', () => {
  it.each([
    ['at its isort place in sorted names', 'from api.b import CONSTANT, Zeta, helper\n', 'from api.b import CONSTANT, Alpha, Zeta, helper\n'],
    ['last in unsorted names, which stay unsorted', 'from api.b import Zeta, CONSTANT, helper\n', 'from api.b import Zeta, CONSTANT, helper, Alpha\n'],
    ['with the spacing of the names kept', 'from api.b import(Zeta ,helper)  # noqa\n', 'from api.b import(Alpha, Zeta ,helper)  # noqa\n'],
    ['after a backslash continuation', 'from api.b import Aa, \\\n    helper\n', 'from api.b import Aa, \\\n    Alpha, helper\n'],
    ['on a line of its own when the names stand one per line', 'from api.b import (\n    Beta,  # b\n    Zeta\n)\n', 'from api.b import (\n    Alpha,\n    Beta,  # b\n    Zeta\n)\n'],
    ['last, on a line of its own, before a comment and the parenthesis', 'from api.b import (\n    Aa,\n    # more\n    )\n', 'from api.b import (\n    Aa,\n    Alpha,\n    # more\n    )\n'],
    ['inside a parenthesis closed on the last name line', 'from api.b import (\n    Aa,\n    Ab)\n', 'from api.b import (\n    Aa,\n    Ab,\n    Alpha)\n'],
    ['from a relative import, in its spelling', 'from . import Zeta\n', 'from . import Alpha, Zeta\n'],
  ])('inserts a name into an existing import %s, re-rendering nothing', async (_name, source, expected) => {
    const output = await ensureFromImport(source, { module: 'api.b', names: ['Alpha'], package: 'api.b' }, 'api', { file: 'x.py' });
    expect(output).toBe(expected);
    expect(await ensureFromImport(output, { module: 'api.b', names: ['Alpha'], package: 'api.b' }, 'api', { file: 'x.py' })).toBe(output);
  });

  it('wraps an import that grows too long the way ruff format does, keeping its bytes', async () => {
    const source = 'from api.domain.services.customer import CustomerRenewalService, ICustomerRenewalService\n';
    const output = await ensureFromImport(source, { module: 'api.domain.services.customer', names: ['RenewalPolicy'] }, 'api', { file: 'x.py' });
    expect(output).toBe('from api.domain.services.customer import (\n    CustomerRenewalService,\n    ICustomerRenewalService,\n    RenewalPolicy,\n)\n');
    expect(formatPython(output)).toBe(output);
  });

  it('starts a first-party section after third-party imports', async () => {
    const source = '"""Doc."""\n\nimport os\n\nfrom fastapi import APIRouter\n\nX = 1\n';
    const output = await ensureFromImport(source, { module: 'api.http.routes', names: ['health'] }, 'api', { file: 'x.py' });
    expect(output).toBe('"""Doc."""\n\nimport os\n\nfrom fastapi import APIRouter\n\nfrom api.http.routes import health\n\nX = 1\n');
  });

  it('wraps a long import the way ruff format does', async () => {
    const source = 'from api.a import A\n';
    const output = await ensureFromImport(
      source,
      { module: 'api.domain.services.customer_subscription_renewal', names: ['ICustomerSubscriptionRenewalService', 'CustomerSubscriptionRenewalService'] },
      'api',
      { file: 'x.py' },
    );
    expect(output).toBe(
      'from api.a import A\nfrom api.domain.services.customer_subscription_renewal import (\n    CustomerSubscriptionRenewalService,\n    ICustomerSubscriptionRenewalService,\n)\n',
    );
    expect(formatPython(output)).toBe(output);
  });

  it('refuses a file without imports, naming it', async () => {
    await expect(ensureFromImport('X = 1\n', { module: 'api.a', names: ['A'] }, 'api', { file: 'f.py' })).rejects.toThrow(
      'f.py:1: expected a block of import statements at the top of the file to add "from api.a import A" to; found none',
    );
  });
});

describe('ensureCollectionElement', () => {
  it('adds to a list and keeps it sorted when it was sorted', async () => {
    const output = await ensureCollectionElement('__all__ = ["a", "c"]\n', { variable: '__all__', element: '"b"', sorted: true }, { file: 'x.py' });
    expect(output).toBe('__all__ = ["a", "b", "c"]\n');
  });

  it('appends to a list that was not sorted', async () => {
    const output = await ensureCollectionElement('__all__ = ["c", "a"]\n', { variable: '__all__', element: '"b"', sorted: true }, { file: 'x.py' });
    expect(output).toBe('__all__ = ["c", "a", "b"]\n');
  });

  it('recognises an element written with other quotes', async () => {
    const source = "__all__ = ['b']\n";
    expect(await ensureCollectionElement(source, { variable: '__all__', element: '"b"', sorted: true }, { file: 'x.py' })).toBe(source);
  });
});

describe('literalValue', () => {
  // CPython is the oracle. literalValue gives null for bytes, and for f-string fields and \N{...},
  // which it leaves undecided.
  const LITERALS = [
    `"recipe"`,
    `'recip\\x65'`,
    `"\\u0072ec\\151pe"`,
    `"\\U0001F600"`,
    `"\\N{BULLET}"`,
    `'a\\\r\nb'`,
    `r"a\\x65"`,
    `R'''a\\'b'''`,
    `u"tab\\there"`,
    `"""line\\\nnext"""`,
    `"\\q\\7\\0"`,
    `f"plain"`,
    `f"{x}"`,
    `b"bytes"`,
    `Rb"bytes"`,
  ];

  it('evaluates string literals the way CPython does', () => {
    const oracle = execFileSync('python3', [
      '-c',
      [
        'import ast, json, sys',
        'def value(s):',
        '    v = ast.literal_eval(s[1:] if s[:1] in "fF" else s)',
        '    return None if "{" in s or not isinstance(v, str) else v',
        'print(json.dumps([value(s) for s in sys.argv[1:]]))',
      ].join('\n'),
      ...LITERALS,
    ]).toString();
    expect(LITERALS.map(literalValue)).toEqual(JSON.parse(oracle));
  });
});
