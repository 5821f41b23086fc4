/**
 * `--fields` of `layered:feature`: `title:str,servings:int=1,notes:str?,tags:list[str]`.
 * Each field becomes Python code in every layer; this module owns that mapping.
 */

export const FIELD_TYPES = ['str', 'int', 'float', 'bool', 'Decimal', 'date', 'datetime', 'UUID', 'list[str]'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface Field {
  name: string;
  type: FieldType;
  optional: boolean;
  /** Python expression of the default, or null when the field is required. */
  defaultPython: string | null;
  /** The default as it appears in `--fields`, for messages. */
  defaultText: string | null;
}

const TYPE_ALIASES: Record<string, FieldType> = {
  str: 'str',
  int: 'int',
  float: 'float',
  bool: 'bool',
  decimal: 'Decimal',
  date: 'date',
  datetime: 'datetime',
  uuid: 'UUID',
  'list[str]': 'list[str]',
};

const PYTHON_KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else',
  'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise',
  'return', 'try', 'while', 'with', 'yield', 'match', 'case', 'type',
]);

// Attributes the generated classes already have: SQLAlchemy's declarative base, the id, the timestamp.
const RESERVED_FIELD_NAMES = new Set(['id', 'created_at', 'date', 'datetime', 'field', 'value', 'metadata', 'registry', 'model_config', 'model_fields', 'self', 'cls', 'data']);

export class FieldSpecError extends Error {}

function fail(part: string, why: string): never {
  throw new FieldSpecError(`--fields: "${part}" ${why}`);
}

/** Parses `--fields`; throws a FieldSpecError that quotes the bad part. */
export function parseFields(spec: string | undefined): Field[] {
  const text = (spec ?? '').trim();
  if (text === '') return [];
  const fields = text.split(',').map((raw) => parseField(raw.trim(), raw));
  const seen = new Set<string>();
  for (const field of fields) {
    if (seen.has(field.name)) fail(field.name, 'is given twice; each field needs its own name');
    seen.add(field.name);
  }
  return fields;
}

function parseField(part: string, raw: string): Field {
  if (part === '') fail(raw, 'is empty; remove the extra comma');
  const match = /^([^:=]+):([^=]+?)(\?)?(?:=(.*))?$/.exec(part);
  if (!match) fail(part, 'is not "name:type" (e.g. "title:str", "servings:int=1", "notes:str?")');
  const [, rawName, rawType, question, rawDefault] = match;
  const name = rawName.trim();
  if (!/^[a-z][a-z0-9_]*$/.test(name)) fail(part, `has the name "${name}"; field names are snake_case Python identifiers (e.g. "published_on")`);
  if (PYTHON_KEYWORDS.has(name)) fail(part, `has the name "${name}", a Python keyword`);
  if (RESERVED_FIELD_NAMES.has(name) || name.startsWith('_')) fail(part, `has the name "${name}", which the generated classes already use`);
  const typeText = rawType.trim();
  const type = TYPE_ALIASES[typeText.toLowerCase().replace(/\s+/g, '')];
  if (!type) fail(part, `has the type "${typeText}"; use one of ${FIELD_TYPES.join(', ')} (add "?" for optional)`);
  const optional = question === '?';
  if (rawDefault === undefined) return { name, type, optional, defaultPython: null, defaultText: null };
  const defaultText = rawDefault.trim();
  return { name, type, optional, defaultPython: pythonDefault(part, type, optional, defaultText), defaultText };
}

function pythonDefault(part: string, type: FieldType, optional: boolean, value: string): string {
  if (value === 'None') {
    if (!optional) fail(part, 'defaults to None but is not optional; write the type with "?" (e.g. "notes:str?")');
    return 'None';
  }
  switch (type) {
    case 'str': {
      const unquoted = /^(["'])(.*)\1$/.exec(value)?.[2] ?? value;
      // The service refuses blank and over-long text, so such a default could never be saved.
      if (unquoted.trim() === '' || [...unquoted].length > 255) fail(part, 'has a default the service would refuse; a text default must be 1 to 255 characters, not blank');
      return JSON.stringify(unquoted);
    }
    case 'int': {
      if (!/^-?\d+$/.test(value)) fail(part, `has the default "${value}", which is not a whole number`);
      const number = BigInt(value);
      if (number < -(2n ** 63n) || number >= 2n ** 63n) fail(part, `has the default "${value}", which does not fit the BIGINT column`);
      return String(number);
    }
    case 'float':
      if (!/^-?\d+(\.\d+)?$/.test(value)) fail(part, `has the default "${value}", which is not a number`);
      return value.includes('.') ? value : `${value}.0`;
    case 'bool':
      if (!/^(true|false)$/i.test(value)) fail(part, `has the default "${value}"; use true or false`);
      return value.toLowerCase() === 'true' ? 'True' : 'False';
    case 'Decimal':
      if (!/^-?\d{1,10}(\.\d{1,2})?$/.test(value)) fail(part, `has the default "${value}"; use a decimal with at most 10 digits before and 2 after the point`);
      return `Decimal("${value}")`;
    case 'date': {
      const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
      const valid = date && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
      if (!date || !valid) fail(part, `has the default "${value}"; use a date as YYYY-MM-DD`);
      return `date(${Number(date[1])}, ${Number(date[2])}, ${Number(date[3])})`;
    }
    case 'list[str]':
      if (value.replace(/\s+/g, '') !== '[]') fail(part, `has the default "${value}"; a list[str] field can only default to []`);
      return '[]';
    case 'datetime':
    case 'UUID':
      return fail(part, `has a default, which ${type} fields do not support; make the field optional ("${type}?") instead`);
  }
}

/** The annotation of a field in the domain models; outputs hold tuples, inputs lists. */
export function pythonAnnotation(field: Field, immutable: boolean): string {
  const base = field.type === 'list[str]' && immutable ? 'tuple[str, ...]' : field.type;
  return field.optional ? `${base} | None` : base;
}

/** `name: annotation = default` in an input dataclass. */
export function dataclassField(field: Field): string {
  const annotation = pythonAnnotation(field, false);
  if (field.defaultPython === null) return field.optional ? `${field.name}: ${annotation} = None` : `${field.name}: ${annotation}`;
  if (field.defaultPython === '[]') return `${field.name}: ${annotation} = field(default_factory=list)`;
  return `${field.name}: ${annotation} = ${field.defaultPython}`;
}

/** `name: annotation = default` in a Pydantic request body. */
export function pydanticField(field: Field): string {
  const annotation = pythonAnnotation(field, false);
  if (field.defaultPython === null) return field.optional ? `${field.name}: ${annotation} = None` : `${field.name}: ${annotation}`;
  if (field.defaultPython === '[]') return `${field.name}: ${annotation} = Field(default_factory=list)`;
  return `${field.name}: ${annotation} = ${field.defaultPython}`;
}

const COLUMN_TYPES: Record<FieldType, { orm: string; migration: string }> = {
  str: { orm: 'String(255)', migration: 'sa.String(length=255)' },
  int: { orm: 'BigInteger', migration: 'sa.BigInteger()' },
  float: { orm: 'Float', migration: 'sa.Float()' },
  bool: { orm: 'Boolean', migration: 'sa.Boolean()' },
  Decimal: { orm: 'Numeric(12, 2)', migration: 'sa.Numeric(precision=12, scale=2)' },
  date: { orm: 'Date', migration: 'sa.Date()' },
  // Naive UTC in the database: SQLite keeps no offset, so both databases store the same thing.
  datetime: { orm: 'DateTime', migration: 'sa.DateTime()' },
  UUID: { orm: 'Uuid', migration: 'sa.Uuid()' },
  'list[str]': { orm: 'JSON', migration: 'sa.JSON()' },
};

export function ormColumnType(field: Field): string {
  return COLUMN_TYPES[field.type].orm;
}

/** The SQLAlchemy names `repositories/<feature>.py` imports for its column types. */
export function ormTypeImports(fields: Field[]): string[] {
  return [...new Set(fields.map((field) => COLUMN_TYPES[field.type].orm.replace(/\(.*$/, '')))];
}

export function migrationColumn(field: Field): string {
  return `sa.Column(${JSON.stringify(field.name)}, ${COLUMN_TYPES[field.type].migration}, nullable=${field.optional ? 'True' : 'False'})`;
}

/** Row attribute -> model value, in the repository. */
export function fromRow(field: Field, row: string): string {
  const value = `${row}.${field.name}`;
  if (field.type === 'list[str]') return field.optional ? `None if ${value} is None else tuple(${value})` : `tuple(${value})`;
  if (field.type === 'datetime') return field.optional ? `None if ${value} is None else _from_database_time(${value})` : `_from_database_time(${value})`;
  return value;
}

/** Model value -> row attribute, in the repository. */
export function toRow(field: Field, model: string): string {
  const value = `${model}.${field.name}`;
  if (field.type === 'list[str]') return field.optional ? `None if ${value} is None else list(${value})` : `list(${value})`;
  if (field.type === 'datetime') return field.optional ? `None if ${value} is None else _to_database_time(${value})` : `_to_database_time(${value})`;
  return value;
}

/** The validation helper the service applies to a field, or null when any value is valid. */
function validator(field: Field): string | null {
  switch (field.type) {
    case 'str':
      return '_text';
    case 'int':
      return '_whole_number';
    case 'float':
      return '_finite';
    case 'Decimal':
      return '_amount';
    case 'datetime':
      return '_aware';
    case 'list[str]':
      return '_texts';
    default:
      return null;
  }
}

/** Validators used by the fields, so the service defines only those. */
export function validatorsUsed(fields: Field[]): Set<string> {
  return new Set(fields.map(validator).filter((name): name is string => name !== null));
}

/** The validated value of an input field, in the service. */
export function validated(field: Field, input: string): string {
  const value = `${input}.${field.name}`;
  const check = validator(field);
  if (!check) return value;
  const call = `${check}(${JSON.stringify(field.name)}, ${value})`;
  return field.optional ? `None if ${value} is None else ${call}` : call;
}

/** Python expression of a sample value numbered `n`, for tests. `shape` is where the value goes. */
export function sampleValue(field: Field, n: string, shape: 'input' | 'model' | 'json'): string {
  switch (field.type) {
    case 'str':
      return `f"${field.name.replace(/_/g, ' ')} {${n}}"`;
    case 'int':
      return n;
    case 'float':
      return `${n} + 0.5`;
    case 'bool':
      return `${n} % 2 == 0`;
    case 'Decimal':
      return shape === 'json' ? `f"{${n}}.25"` : `Decimal(${n}) + Decimal("0.25")`;
    case 'date':
      return shape === 'json' ? `(date(2024, 1, 1) + timedelta(days=${n})).isoformat()` : `date(2024, 1, 1) + timedelta(days=${n})`;
    case 'datetime':
      return shape === 'json'
        ? `(datetime(2024, 1, 1, 12, tzinfo=UTC) + timedelta(hours=${n})).isoformat()`
        : `datetime(2024, 1, 1, 12, tzinfo=UTC) + timedelta(hours=${n})`;
    case 'UUID':
      return shape === 'json' ? `str(UUID(int=${n} + 1))` : `UUID(int=${n} + 1)`;
    case 'list[str]':
      return shape === 'model' ? `(f"${field.name}-{${n}}", "shared")` : `[f"${field.name}-{${n}}", "shared"]`;
  }
}
