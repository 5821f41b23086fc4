import { describe, expect, it } from 'vitest';
import { dataclassField, FieldSpecError, migrationColumn, parseFields, pydanticField, pythonAnnotation, validated } from './fields';

describe('parseFields', () => {
  it('reads every type, optional fields and defaults', () => {
    const fields = parseFields('title:str, servings:int=1, ratio:float=2, active:bool=TRUE, price:decimal=1.50, on:date=2024-02-29, at:datetime?, ref:uuid, tags:list[str]=[], notes:str?');
    expect(fields.map((f) => [f.name, f.type, f.optional, f.defaultPython])).toEqual([
      ['title', 'str', false, null],
      ['servings', 'int', false, '1'],
      ['ratio', 'float', false, '2.0'],
      ['active', 'bool', false, 'True'],
      ['price', 'Decimal', false, 'Decimal("1.50")'],
      ['on', 'date', false, 'date(2024, 2, 29)'],
      ['at', 'datetime', true, null],
      ['ref', 'UUID', false, null],
      ['tags', 'list[str]', false, '[]'],
      ['notes', 'str', true, null],
    ]);
  });

  it('quotes text defaults as Python strings', () => {
    expect(parseFields("title:str='Untitled \"draft\"'")[0].defaultPython).toBe('"Untitled \\"draft\\""');
  });

  it.each([
    ['on:date=2023-02-29', 'use a date as YYYY-MM-DD'],
    ['title:str=   ', 'a text default must be 1 to 255 characters'],
    ['n:int=9223372036854775808', 'does not fit the BIGINT column'],
    ['price:Decimal=1.234', 'at most 10 digits before and 2 after'],
    ['tags:list[str]=[a]', 'can only default to []'],
    ['active:bool=yes', 'use true or false'],
    ['ref:UUID=0', 'UUID fields do not support'],
  ])('refuses %s', (spec, message) => {
    expect(() => parseFields(spec)).toThrow(FieldSpecError);
    expect(() => parseFields(spec)).toThrow(message);
  });
});

describe('Python code of a field', () => {
  const [title, notes, tags, servings] = parseFields('title:str,notes:str?,tags:list[str]=[],servings:int=2');

  it('annotates outputs with tuples and inputs with lists', () => {
    expect(pythonAnnotation(tags, true)).toBe('tuple[str, ...]');
    expect(pythonAnnotation(tags, false)).toBe('list[str]');
    expect(pythonAnnotation(notes, true)).toBe('str | None');
  });

  it('declares defaults in dataclasses and Pydantic models', () => {
    expect([title, notes, tags, servings].map(dataclassField)).toEqual([
      'title: str',
      'notes: str | None = None',
      'tags: list[str] = field(default_factory=list)',
      'servings: int = 2',
    ]);
    expect(pydanticField(tags)).toBe('tags: list[str] = Field(default_factory=list)');
  });

  it('validates only what needs it, and optional values only when present', () => {
    expect(validated(title, 'data')).toBe('_text("title", data.title)');
    expect(validated(notes, 'data')).toBe('None if data.notes is None else _text("notes", data.notes)');
    expect(validated(parseFields('on:date')[0], 'data')).toBe('data.on');
  });

  it('writes nullable columns for optional fields in the migration', () => {
    expect(migrationColumn(notes)).toBe('sa.Column("notes", sa.String(length=255), nullable=True)');
    expect(migrationColumn(servings)).toBe('sa.Column("servings", sa.BigInteger(), nullable=False)');
  });
});
