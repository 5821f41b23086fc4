import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { formatFiles, generateFiles, getProjects, joinPathFragments, logger, Tree } from '@nx/devkit';
import { parse as parseToml } from 'smol-toml';
import {
  dataclassField,
  Field,
  FieldSpecError,
  fromRow,
  migrationColumn,
  ormColumnType,
  parseFields,
  pydanticField,
  pythonAnnotation,
  sampleValue,
  toRow,
  validated,
  validatorsUsed,
} from '../../python/fields';
import { formatPython, readRuffSettings, RuffSettings } from '../../python/format';
import { invalidPythonPackageReason, toPascalCase, toSnakeCase } from '../../python/names';
import { FeatureWiring, wireFeatureIntoErrors, wireFeatureIntoFactory, wireFeatureIntoRouter, wireFeatureIntoTables } from '../../python/wiring';
import { wireProjectModules, WiringStep } from '../../python/wire-modules';
import { ImportSource, resolveImports } from './imports';
import type { FeatureGeneratorSchema } from './schema';
import { nextSteps, RewrittenMigration } from './next-steps';
import { recordFeature } from './manifest';

export const OPERATIONS = ['create', 'get', 'list', 'update', 'delete'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface NormalizedFeatureSchema {
  projectName: string;
  projectRoot: string;
  packageName: string;
  /** snake_case module name of the slice in every layer, e.g. `recipe_book`. */
  module: string;
  /** `RecipeBook`. */
  className: string;
  /** `recipe book`. */
  label: string;
  labelPlural: string;
  /** `recipe_books`: table name and the plural in function names. */
  pluralModule: string;
  /** `recipe-books`: the URL path segment. */
  urlSegment: string;
  idArg: string;
  fields: Field[];
  ops: Record<Operation, boolean>;
  unique: Field | null;
  revision: string;
  force: boolean;
  skipFormat: boolean;
}

const SLICE_TEMPLATES = path.join(__dirname, '..', '..', '..', 'files', 'feature');
// Module names the app (or Python) already uses in the layers a slice writes into.
const RESERVED_MODULES = new Set(['health', 'orm', 'tables', 'unit_of_work', 'session_scope', 'database', 'errors', 'factory', 'metadata', 'dependencies', 'error_handlers', 'middleware', 'schemas', 'routes']);

// Library names the slice's modules import; a feature whose module or class had one of these names would shadow it.
const LIBRARY_NAMES = new Set([
  'asyncio', 'math', 'structlog', 'pytest', 'httpx', 'field', 'replace', 'dataclass', 'date', 'datetime', 'timedelta', 'status', 'func', 'select', 'delete', 'true', 'aliased', 'event',
  'Any', 'Final', 'Protocol', 'Self', 'Decimal', 'UUID', 'UTC', 'Callable', 'APIRouter', 'FastAPI', 'BaseModel', 'ConfigDict', 'Field', 'JSON',
  'BigInteger', 'Boolean', 'Date', 'DateTime', 'Float', 'Numeric', 'String', 'Uuid', 'Mapped', 'Base', 'Connection', 'Factory', 'Singletons', 'AsyncSession',
]);

export async function featureGenerator(tree: Tree, schema: FeatureGeneratorSchema): Promise<() => void> {
  const options = normalizeOptions(tree, schema);
  const sharedModules = assertAppShape(tree, options);
  const settings = readRuffSettings(tree, options.projectRoot);
  const previous = snapshot(tree, options.projectRoot);
  // Edits are computed before anything is written: a module that cannot be wired stops the run.
  const wired = await wireIntoApp(tree, options, sharedModules, settings);
  const sliceFiles = await addSliceFiles(tree, options, settings);
  const wiredFrom = new Map([...wired.keys()].map((file) => [file, tree.read(file)!]));
  for (const [file, text] of wired) tree.write(file, text);
  const outcome = compareWithPrevious(tree, previous);
  if (outcome.conflicts.length > 0 && !options.force) {
    throw new Error(
      `layered:feature would overwrite ${outcome.conflicts.length} file(s) that exist with other content:\n${outcome.conflicts.map((file) => `  - ${file}`).join('\n')}\nNothing was written. Move them away, or run again with --force to overwrite them.`,
    );
  }
  if (!options.skipFormat) await formatFiles(tree);
  recordFeature(tree, options, sliceFiles, wiredFrom);
  const steps = nextSteps({
    projectName: options.projectName,
    label: options.label,
    pluralModule: options.pluralModule,
    unchanged: outcome.changed.length === 0,
    rewrittenMigration: rewrittenMigration(tree, options, outcome.conflicts),
  });
  return () => steps.forEach((line) => logger.info(line));
}

function rewrittenMigration(tree: Tree, options: NormalizedFeatureSchema, conflicts: string[]): RewrittenMigration | null {
  const file = conflicts.find((path) => path.endsWith(`/migrations/versions/rev_${options.revision}_create_${options.pluralModule}.py`));
  if (file === undefined) return null;
  return { file, revision: options.revision, downRevision: downRevisionsOf(tree.read(file, 'utf-8') ?? '')[0] ?? null };
}

// ---------------------------------------------------------------------------------------------

export function normalizeOptions(tree: Tree, schema: FeatureGeneratorSchema): NormalizedFeatureSchema {
  const rawName = (schema.name ?? '').trim();
  if (rawName === '') throw new Error('The feature name is empty. Pass one as the first argument, e.g. `nx g layered:feature recipe`.');
  const module = toSnakeCase(rawName);
  const problem = invalidPythonPackageReason(module);
  if (problem || !/^[a-z][a-z0-9_]*$/.test(module)) {
    throw new Error(`"${rawName}" cannot name a feature: ${problem ?? 'it must start with a letter'}. Choose a singular noun such as "recipe" or "order-line".`);
  }
  if (RESERVED_MODULES.has(module)) throw new Error(`"${rawName}" cannot name a feature: the app already has a module called ${module}. Choose another name.`);
  const clash = [module, toPascalCase(module)].find((name) => LIBRARY_NAMES.has(name));
  if (clash) throw new Error(`"${rawName}" cannot name a feature: its code would name something ${clash}, which the slice already imports from a library. Choose another name.`);
  const { projectName, projectRoot, packageName } = resolveProject(tree, schema.project);
  const pluralModule = schema.plural ? toSnakeCase(schema.plural.trim()) : pluralize(module);
  if (!/^[a-z][a-z0-9_]*$/.test(pluralModule) || pluralModule === module) {
    throw new Error(`--plural "${schema.plural}" is not usable: give the plural of "${rawName}" as a word in snake_case or kebab-case that differs from it, e.g. --plural=people.`);
  }
  let fields: Field[];
  try {
    fields = parseFields(schema.fields ?? 'name:str');
  } catch (error) {
    if (error instanceof FieldSpecError) throw new Error(`${error.message}. Example: --fields "title:str,servings:int=1,notes:str?,tags:list[str],published_on:date".`);
    throw error;
  }
  if (fields.length === 0) throw new Error('--fields is empty: a feature needs at least one field, e.g. --fields "title:str".');
  const ops = parseOperations(schema.operations);
  const label = module.replace(/_/g, ' ');
  return {
    projectName,
    projectRoot,
    packageName,
    module,
    className: toPascalCase(module),
    label,
    labelPlural: pluralModule.replace(/_/g, ' '),
    pluralModule,
    urlSegment: pluralModule.replace(/_/g, '-'),
    idArg: `${module}_id`,
    fields,
    ops,
    unique: uniqueField(fields, schema.unique),
    revision: createHash('sha1').update(`layered:${packageName}:${pluralModule}`).digest('hex').slice(0, 12),
    force: schema.force ?? false,
    skipFormat: schema.skipFormat ?? false,
  };
}

function pluralize(word: string): string {
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  return `${word}s`;
}

function parseOperations(value: string | undefined): Record<Operation, boolean> {
  const wanted = (value ?? OPERATIONS.join(','))
    .split(',')
    .map((op) => op.trim().toLowerCase())
    .filter(Boolean);
  const unknown = wanted.filter((op) => !(OPERATIONS as readonly string[]).includes(op));
  if (unknown.length > 0) throw new Error(`--operations: "${unknown.join('", "')}" is not an operation; choose from ${OPERATIONS.join(', ')}.`);
  if (wanted.length === 0) throw new Error(`--operations is empty; choose some of ${OPERATIONS.join(', ')}.`);
  return Object.fromEntries(OPERATIONS.map((op) => [op, wanted.includes(op)])) as Record<Operation, boolean>;
}

/** The natural key: the named field, or by default the first required text field. */
function uniqueField(fields: Field[], unique: string | undefined): Field | null {
  if (unique === undefined) return fields.find((f) => f.type === 'str' && !f.optional && f.defaultPython === null) ?? null;
  if (unique.trim() === '' || unique.trim() === 'none') return null;
  const field = fields.find((f) => f.name === unique.trim());
  if (!field) throw new Error(`--unique "${unique}" names no field; choose one of ${fields.map((f) => f.name).join(', ')}, or "none".`);
  if (field.type === 'list[str]' || field.optional) throw new Error(`--unique "${unique}": a unique field must be required and not a list.`);
  return field;
}

interface LayeredProject {
  projectName: string;
  projectRoot: string;
  packageName: string;
}

function layeredPackage(tree: Tree, root: string): string | null {
  const text = tree.read(joinPathFragments(root, 'pyproject.toml'), 'utf-8');
  if (text === null) return null;
  try {
    const layered = (parseToml(text) as { tool?: { layered?: { package?: unknown } } }).tool?.layered;
    if (!layered) return null;
    return typeof layered.package === 'string' ? layered.package : toSnakeCase(path.basename(root));
  } catch {
    return null;
  }
}

export function resolveProject(tree: Tree, requested: string | undefined): LayeredProject {
  const layered = [...getProjects(tree).entries()].flatMap(([name, config]) => {
    const packageName = layeredPackage(tree, config.root);
    return packageName ? [{ projectName: name, projectRoot: config.root, packageName }] : [];
  });
  if (requested) {
    const found = layered.find((project) => project.projectName === requested);
    if (found) return found;
    const exists = getProjects(tree).has(requested);
    throw new Error(
      exists
        ? `Project "${requested}" is not a layered backend (its pyproject.toml has no [tool.layered] table). Create one with \`nx g layered:application\`.`
        : `There is no project "${requested}". Layered projects here: ${layered.map((p) => p.projectName).join(', ') || 'none'}.`,
    );
  }
  if (layered.length === 1) return layered[0];
  if (layered.length === 0) throw new Error('This workspace has no layered backend. Create one first: `nx g layered:application api`.');
  throw new Error(`Several layered backends exist (${layered.map((p) => p.projectName).join(', ')}); choose one with --project.`);
}

export interface SharedModules {
  factory: string;
  router: string;
  tables: string;
  errors: string;
}

export function assertAppShape(tree: Tree, options: NormalizedFeatureSchema): SharedModules {
  const source = joinPathFragments(options.projectRoot, 'src', options.packageName);
  const modules: SharedModules = {
    factory: joinPathFragments(source, 'domain', 'factory.py'),
    router: joinPathFragments(source, 'http', 'routes', '__init__.py'),
    tables: joinPathFragments(source, 'domain', 'repositories', 'tables.py'),
    errors: joinPathFragments(source, 'domain', 'errors.py'),
  };
  const missing = Object.values(modules).filter((file) => !tree.exists(file));
  if (missing.length > 0) {
    throw new Error(`${options.projectName} lacks ${missing.join(', ')}, which layered:feature wires the slice into. Restore them (see \`nx g layered:application\`), then run again.`);
  }
  return modules;
}

// ---------------------------------------------------------------------------------------------

function snapshot(tree: Tree, root: string): Map<string, string | null> {
  const contents = new Map<string, string | null>();
  const visit = (dir: string): void => {
    for (const child of tree.children(dir)) {
      const file = joinPathFragments(dir, child);
      if (tree.isFile(file)) contents.set(file, tree.read(file, 'utf-8'));
      else visit(file);
    }
  };
  visit(root);
  return contents;
}

function compareWithPrevious(tree: Tree, previous: Map<string, string | null>): { changed: string[]; conflicts: string[] } {
  const changed: string[] = [];
  const conflicts: string[] = [];
  for (const change of tree.listChanges()) {
    const before = previous.get(change.path);
    const after = change.content?.toString('utf-8') ?? null;
    if (before === after) continue;
    changed.push(change.path);
    if (before !== undefined && before !== null && change.type !== 'DELETE' && !isWiredModule(change.path)) conflicts.push(change.path);
  }
  return { changed, conflicts };
}

// The shared modules are edited on purpose; every other existing file is a conflict.
function isWiredModule(file: string): boolean {
  return /\/(domain\/factory\.py|http\/routes\/__init__\.py|domain\/repositories\/tables\.py|domain\/errors\.py)$/.test(file);
}

function migrationHead(tree: Tree, options: NormalizedFeatureSchema, ownFile: string): string | null {
  const versions = joinPathFragments(options.projectRoot, 'migrations', 'versions');
  const own = tree.read(ownFile, 'utf-8');
  // Re-running keeps the revision where it was chained the first time.
  if (own !== null) return downRevisionsOf(own)[0] ?? null;
  const revisions = new Map<string, string[]>();
  for (const child of tree.exists(versions) ? tree.children(versions) : []) {
    if (!child.endsWith('.py')) continue;
    const text = tree.read(joinPathFragments(versions, child), 'utf-8') ?? '';
    const revision = /^revision\b[^=\n]*=\s*["']([^"']+)["']/m.exec(text)?.[1];
    if (revision) revisions.set(revision, downRevisionsOf(text));
  }
  const parents = new Set([...revisions.values()].flat());
  const heads = [...revisions.keys()].filter((revision) => !parents.has(revision));
  if (heads.length > 1) {
    throw new Error(
      `${versions} has several Alembic heads (${heads.sort().join(', ')}); the new revision needs one to follow. Merge them first (alembic merge heads), then run again.`,
    );
  }
  return heads[0] ?? null;
}

export function downRevisionsOf(text: string): string[] {
  const value = /^down_revision\b[^=\n]*=\s*(.+)$/m.exec(text)?.[1] ?? '';
  return [...value.matchAll(/["']([^"']+)["']/g)].map((match) => match[1]);
}

function knownImports(options: NormalizedFeatureSchema): Map<string, ImportSource> {
  const { packageName: pkg, module, className: name } = options;
  const known = new Map<string, ImportSource>();
  const from = (source: string, names: string[]): void => names.forEach((n) => known.set(n, { module: source, name: n }));
  for (const module of ['asyncio', 'json', 'math', 'unicodedata', 'structlog', 'pytest', 'httpx']) known.set(module, { module });
  from('collections.abc', ['AsyncIterator', 'Callable', 'Sequence']);
  from('contextlib', ['AbstractAsyncContextManager', 'asynccontextmanager']);
  from('dataclasses', ['dataclass', 'field', 'replace']);
  from('datetime', ['UTC', 'date', 'datetime', 'timedelta']);
  from('decimal', ['Decimal']);
  from('typing', ['Any', 'Final', 'Protocol', 'Self', 'runtime_checkable']);
  from('uuid', ['UUID', 'uuid4']);
  from('fastapi', ['APIRouter', 'FastAPI', 'status']);
  from('pydantic', ['BaseModel', 'ConfigDict', 'Field']);
  from('sqlalchemy', ['JSON', 'BigInteger', 'Boolean', 'Date', 'DateTime', 'Float', 'Numeric', 'String', 'Uuid', 'delete', 'func', 'select', 'true', 'Connection', 'event']);
  from('sqlalchemy.exc', ['IntegrityError']);
  from('sqlalchemy.orm.exc', ['StaleDataError']);
  from(`${pkg}.domain.repositories.database`, ['translates_database_errors']);
  from('sqlalchemy.ext.asyncio', ['AsyncSession', 'async_sessionmaker']);
  from('sqlalchemy.orm', ['Mapped', 'aliased', 'mapped_column']);
  from(`${pkg}.domain.models.${module}`, [`${name}Id`, name, `Create${name}Input`, `Update${name}Input`, `${name}Page`]);
  from(`${pkg}.domain.errors`, [`${name}NotFoundError`, `Invalid${name}Error`, `${name}ConflictError`, 'ValidationFailedError']);
  from(`${pkg}.domain.repositories.orm`, ['Base']);
  from(`${pkg}.domain.repositories.${module}`, [`I${name}Repository`, `${name}Repository`, `${name}Row`]);
  from(`${pkg}.domain.services.${module}`, [`I${name}Service`, `${name}Service`]);
  from(`${pkg}.domain.controllers.${module}`, [`${name}Controller`]);
  from(`${pkg}.domain.unit_of_work`, ['IUnitOfWork']);
  from(`${pkg}.domain.factory`, ['Singletons']);
  from(`${pkg}.config`, ['AppConfig', 'Secret']);
  from(`${pkg}.main`, ['create_app']);
  from(`${pkg}.http.dependencies`, ['Factory']);
  from(`${pkg}.http.schemas.${module}`, [`${name}In`, `${name}Out`, `${name}PageOut`]);
  from(`.${module}_samples`, [`sample_${module}`, 'create_input', 'update_input', 'payload', `InMemory${name}Repository`]);
  return known;
}

// Values each validator refuses, as Python (for service tests) and as JSON (for HTTP tests).
const BAD_VALUES: Partial<Record<Field['type'], { python: string; json: string | null }>> = {
  str: { python: '"   "', json: '"   "' },
  'list[str]': { python: '["fine", " "]', json: '["fine", " "]' },
  int: { python: '2**63', json: '2**63' },
  float: { python: 'math.inf', json: null },
  Decimal: { python: 'Decimal("0.001")', json: '"0.001"' },
  datetime: { python: 'datetime.fromisoformat("2024-01-01T12:00:00")', json: '"2024-01-01T12:00:00"' },
};

// Hostile values the service must answer with a 422 naming the field, as Python for a JSON
// body (json.dumps writes NaN, Infinity and "\ud800" escapes as a client could).
const HOSTILE_VALUES: Partial<Record<Field['type'], Array<[string, string]>>> = {
  str: [
    ['nul', '"a\\x00b"'],
    ['lone-surrogate', '"a\\ud800b"'],
    ['only-invisible', '" \\u200b\\u2060\\ufeff "'],
    ['too-long', '"x" * 256'],
    ['too-long-after-nfc', '"\\u0958" * 128'],
  ],
  'list[str]': [
    ['nul-item', '["fine", "a\\x00b"]'],
    ['lone-surrogate-item', '["\\udfff"]'],
    ['invisible-item', '["\\u200b"]'],
    ['too-long-item', '["x" * 256]'],
    ['too-many-items', '["x"] * 101'],
  ],
  int: [
    ['above-bigint', '2**63'],
    ['below-bigint', '-(2**63) - 1'],
  ],
  float: [
    ['nan', 'math.nan'],
    ['infinity', 'math.inf'],
    ['minus-infinity', '-math.inf'],
    ['nan-string', '"NaN"'],
  ],
  Decimal: [
    ['huge-exponent', '"1E+999999999"'],
    ['huge-negative-exponent', '"-1E+999999999"'],
    ['too-many-digits', '"10000000000"'],
    ['too-many-places', '"0.001"'],
    ['tiny-exponent', '"1E-999999999"'],
  ],
  datetime: [
    ['naive', '"2024-01-01T12:00:00"'],
    ['before-year-1-in-utc', '"0001-01-01T00:00:00+01:00"'],
    ['after-year-9999-in-utc', '"9999-12-31T23:59:59-01:00"'],
  ],
};

function templateContext(options: NormalizedFeatureSchema, downRevision: string | null, migrationFile: string): Record<string, unknown> {
  const { ops, fields, className } = options;
  const writes = ops.create || ops.update || ops.delete;
  const bad = fields.flatMap((f) => (BAD_VALUES[f.type] ? [{ field: f.name, ...BAD_VALUES[f.type]! }] : []));
  return {
    ...options,
    template: '',
    capitalLabel: capitalize(options.label),
    capitalLabelPlural: capitalize(options.labelPlural),
    table: options.pluralModule,
    writes,
    downRevision,
    migrationFile,
    validators: validatorsUsed(fields),
    inputUnion: [ops.create ? `Create${className}Input` : null, ops.update ? `Update${className}Input` : null].filter(Boolean).join(' | '),
    nonRequired: fields.filter((f) => f.optional || f.defaultPython !== null).map((f) => f.name),
    badValues: bad.map(({ field, python }) => ({ field, python })),
    hostile: fields.flatMap((f) => (HOSTILE_VALUES[f.type] ?? []).map(([id, python]) => ({ field: f.name, id: `${f.name.replace(/_/g, '-')}-${id}`, python }))),
    textField: fields.find((f) => f.type === 'str') ?? null,
    amountField: fields.find((f) => f.type === 'Decimal') ?? null,
    wholeField: fields.find((f) => f.type === 'int') ?? null,
    badJson: bad.find((b) => b.json !== null) ? { field: bad.find((b) => b.json !== null)!.field, python: bad.find((b) => b.json !== null)!.json } : null,
    controllerArgs: [`${className}Service(repository)`, ...(writes ? ['unit_of_work'] : [])].join(', '),
    annotation: pythonAnnotation,
    rowAnnotation: (f: Field) => pythonAnnotation(f, false),
    dataclassField,
    pydanticField,
    ormColumnType,
    migrationColumn,
    fromRow,
    toRow,
    validated,
    contextValue: (f: Field, model: string) => (['str', 'int', 'float', 'bool'].includes(f.type) ? `${model}.${f.name}` : `str(${model}.${f.name})`),
    sample: (f: Field, shape: 'input' | 'model' | 'json') => sampleValue(f, 'n', shape),
    toSchema: (f: Field, model: string) =>
      f.type === 'list[str]' ? (f.optional ? `None if ${model}.${f.name} is None else list(${model}.${f.name})` : `list(${model}.${f.name})`) : `${model}.${f.name}`,
  };
}

function capitalize(text: string): string {
  return text[0].toUpperCase() + text.slice(1);
}

/** Writes the slice; returns the files it wrote. */
async function addSliceFiles(tree: Tree, options: NormalizedFeatureSchema, settings: RuffSettings): Promise<string[]> {
  const versions = joinPathFragments(options.projectRoot, 'migrations', 'versions');
  const migrationFile = `rev_${options.revision}_create_${options.pluralModule}`;
  const downRevision = migrationHead(tree, options, joinPathFragments(versions, `${migrationFile}.py`));
  const context = templateContext(options, downRevision, migrationFile);
  generateFiles(tree, SLICE_TEMPLATES, options.projectRoot, context);
  const written = templateTargets(SLICE_TEMPLATES, options.projectRoot, { packageName: options.packageName, module: options.module, migrationFile });
  // A controller with neither writes nor concurrent reads only delegates: nothing to test there.
  const controllerTest = joinPathFragments(options.projectRoot, 'tests', `test_${options.module}_controller.py`);
  if (!options.ops.create && !options.ops.list && !options.ops.delete) tree.delete(controllerTest);
  const known = knownImports(options);
  for (const file of written) {
    if (!file.endsWith('.py') || !tree.exists(file)) continue;
    const rendered = tree.read(file, 'utf-8') ?? '';
    const withImports = await resolveImports(rendered, known, options.packageName, file);
    tree.write(file, formatPython(withImports, settings, file));
  }
  return written.filter((file) => tree.exists(file));
}

/** Where generateFiles puts each template of `folder`, with the same path substitutions. */
function templateTargets(folder: string, root: string, substitutions: Record<string, string>): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const relative = path.relative(folder, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
      const substituted = Object.entries(substitutions).reduce((text, [key, value]) => text.split(`__${key}__`).join(value), relative);
      return joinPathFragments(root, substituted.replace(/\.template$/, ''));
    });
}

/** The shared modules that need an edit, with their edited content. */
async function wireIntoApp(tree: Tree, options: NormalizedFeatureSchema, modules: SharedModules, settings: RuffSettings): Promise<Map<string, string | Buffer>> {
  const feature = featureWiring(options);
  const steps: WiringStep[] = [
    [modules.errors, wireFeatureIntoErrors],
    [modules.tables, wireFeatureIntoTables],
    [modules.factory, wireFeatureIntoFactory],
    [modules.router, wireFeatureIntoRouter],
  ];
  return wireProjectModules(tree, options.projectRoot, steps, feature, settings);
}

/**
 * What the shared modules must know about the slice. `concurrentReads` is true only for features
 * recorded in manifest format 1, whose controllers read on sessions opened per task.
 */
export function featureWiring(options: NormalizedFeatureSchema, concurrentReads = false): FeatureWiring {
  return {
    packageName: options.packageName,
    module: options.module,
    className: options.className,
    label: options.label,
    concurrentReads,
    writes: options.ops.create || options.ops.update || options.ops.delete,
    conflicts: options.unique !== null,
  };
}

export default featureGenerator;
