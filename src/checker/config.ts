/** The `[tool.layered]` table of a project's pyproject.toml, validated key by key. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { DEFAULT_LAYER_PATTERNS, isLayerName, LAYER_NAMES, LayerName } from './layers';
import type { Severity } from './types';

export interface ConfigIgnore {
  rules: string[];
  /** Path glob relative to the project root. */
  path: string;
  reason: string;
  /** Position in the `ignore` array, for messages (`tool.layered.ignore[2]`). */
  index: number;
  /** Line of the entry in pyproject.toml, for unused-ignore findings. */
  line: number;
}

export interface LayeredConfig {
  package: string;
  sourceRoots: string[];
  exclude: string[];
  typeCheckingImports: boolean;
  layers: Record<LayerName, string[]>;
  severity: Record<string, Severity>;
  ignores: ConfigIgnore[];
  baseline: string;
  /** What one service is for LAY002: each module, or each package below the services layer's root. */
  services: 'module' | 'package';
  /** Top-level names of the ORM libraries: importing them is database access (LAY003, LAY004, LAY006, LAY007). */
  ormLibraries: string[];
  /** Top-level names of libraries whose classes are model bases (LAY009): a subclass is a model. */
  modelLibraries: string[];
  /** Report indirect layer violations through helper modules (LAY017). */
  chains: boolean;
}

/** A problem with the configuration; `key` names the offending key in full. */
export class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_EXCLUDE = ['tests/**', 'test/**', '**/conftest.py'];
export const DEFAULT_BASELINE = 'layered-baseline.json';
export const DEFAULT_ORM_LIBRARIES = ['sqlalchemy', 'sqlmodel'];
export const DEFAULT_MODEL_LIBRARIES = ['pydantic', 'sqlmodel'];
const SERVICE_UNITS = ['module', 'package'];
const LIBRARY_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SEVERITIES = ['error', 'warning', 'off'];
const KNOWN_KEYS = ['package', 'source-roots', 'exclude', 'type-checking-imports', 'layers', 'severity', 'ignore', 'baseline', 'services', 'orm-libraries', 'model-libraries', 'chains'];
const PACKAGE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const TABLE = 'tool.layered';

type TomlTable = Record<string, unknown>;

function isTable(value: unknown): value is TomlTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function stringList(value: unknown, key: string): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item.trim() === '')) {
    throw new ConfigError(key, 'expected an array of non-empty strings, e.g. ["tests/**"].');
  }
  return value as string[];
}

/** Reads pyproject.toml text; returns null when it has no [tool.layered] table. */
export function readLayeredTable(pyprojectText: string, fileForMessages = 'pyproject.toml'): TomlTable | null {
  let document: TomlTable;
  try {
    document = parseToml(pyprojectText) as TomlTable;
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    throw new ConfigError(fileForMessages, `is not valid TOML (${message}).`);
  }
  const tool = document.tool;
  if (!isTable(tool) || !(`layered` in tool)) return null;
  if (!isTable(tool.layered)) throw new ConfigError(TABLE, 'must be a table ([tool.layered]).');
  return tool.layered;
}

/** Loads and validates the configuration of the project at `projectRoot`. Throws ConfigError. */
export function loadConfig(projectRoot: string, knownRules: readonly string[]): LayeredConfig {
  const file = path.join(projectRoot, 'pyproject.toml');
  if (!existsSync(file)) throw new ConfigError('pyproject.toml', `not found in ${projectRoot}; check-layers reads its [tool.layered] table.`);
  const text = readFileSync(file, 'utf-8');
  const table = readLayeredTable(text);
  if (table === null) throw new ConfigError(TABLE, `missing from ${path.join(projectRoot, 'pyproject.toml')}; add a [tool.layered] table (it may hold only package = "<name>").`);
  return validateConfig(table, projectRoot, knownRules, text);
}

export function validateConfig(table: TomlTable, projectRoot: string, knownRules: readonly string[], pyprojectText = ''): LayeredConfig {
  for (const key of Object.keys(table)) {
    if (!KNOWN_KEYS.includes(key)) throw new ConfigError(`${TABLE}.${key}`, `unknown key; known keys are ${KNOWN_KEYS.join(', ')}.`);
  }
  const sourceRoots = table['source-roots'] === undefined ? defaultSourceRoots(projectRoot) : stringList(table['source-roots'], `${TABLE}.source-roots`);
  let packageName: string;
  if (table.package === undefined) packageName = inferPackage(projectRoot, sourceRoots);
  else if (typeof table.package !== 'string' || !PACKAGE_NAME.test(table.package)) {
    throw new ConfigError(`${TABLE}.package`, 'expected the dotted name of the app package, e.g. "api".');
  } else packageName = table.package;

  const exclude = table.exclude === undefined ? DEFAULT_EXCLUDE : stringList(table.exclude, `${TABLE}.exclude`);
  const typeCheckingImports = table['type-checking-imports'] ?? true;
  if (typeof typeCheckingImports !== 'boolean') {
    throw new ConfigError(`${TABLE}.type-checking-imports`, 'expected true (imports under `if TYPE_CHECKING:` count) or false.');
  }
  const baseline = table.baseline ?? DEFAULT_BASELINE;
  if (typeof baseline !== 'string' || baseline.trim() === '') throw new ConfigError(`${TABLE}.baseline`, 'expected a file path relative to the project.');

  const chains = table.chains ?? false;
  if (typeof chains !== 'boolean') throw new ConfigError(`${TABLE}.chains`, 'expected true (report indirect layer violations, LAY017) or false.');
  const services = table.services ?? 'package';
  if (typeof services !== 'string' || !SERVICE_UNITS.includes(services)) {
    throw new ConfigError(`${TABLE}.services`, 'expected "package" (modules of one package below the services root are one service) or "module" (every module is a service).');
  }

  return {
    package: packageName,
    sourceRoots,
    exclude,
    typeCheckingImports,
    layers: readLayers(table.layers),
    severity: readSeverity(table.severity, knownRules),
    ignores: readIgnores(table.ignore, knownRules, pyprojectText),
    baseline,
    services: services as LayeredConfig['services'],
    ormLibraries: libraries(table['orm-libraries'], `${TABLE}.orm-libraries`, DEFAULT_ORM_LIBRARIES),
    modelLibraries: libraries(table['model-libraries'], `${TABLE}.model-libraries`, DEFAULT_MODEL_LIBRARIES),
    chains,
  };
}

function libraries(value: unknown, key: string, defaults: string[]): string[] {
  if (value === undefined) return defaults;
  const list = stringList(value, key);
  for (const name of list) if (!LIBRARY_NAME.test(name)) throw new ConfigError(key, `"${name}" is not a top-level package name such as "sqlalchemy".`);
  return list;
}

function defaultSourceRoots(projectRoot: string): string[] {
  return existsSync(path.join(projectRoot, 'src')) ? ['src'] : ['.'];
}

function inferPackage(projectRoot: string, sourceRoots: string[]): string {
  const candidates: string[] = [];
  for (const root of sourceRoots) {
    const folder = path.join(projectRoot, root);
    if (!existsSync(folder)) continue;
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.isDirectory() && PACKAGE_NAME.test(entry.name) && existsSync(path.join(folder, entry.name, '__init__.py'))) candidates.push(entry.name);
    }
  }
  if (candidates.length === 1) return candidates[0];
  throw new ConfigError(
    `${TABLE}.package`,
    candidates.length === 0 ? 'not set, and no package was found in the source roots; set it, e.g. package = "api".' : `not set, and several packages were found (${candidates.sort().join(', ')}); set the one to check.`,
  );
}

function readLayers(value: unknown): Record<LayerName, string[]> {
  const layers = { ...DEFAULT_LAYER_PATTERNS };
  if (value === undefined) return layers;
  if (!isTable(value)) throw new ConfigError(`${TABLE}.layers`, 'expected a table of layer = ["module.pattern", ...].');
  for (const [name, patterns] of Object.entries(value)) {
    const key = `${TABLE}.layers.${name}`;
    if (!isLayerName(name)) throw new ConfigError(key, `unknown layer; layers are ${LAYER_NAMES.join(', ')}.`);
    const list = typeof patterns === 'string' ? [patterns] : stringList(patterns, key);
    for (const pattern of list) {
      if (!/^[A-Za-z0-9_*{}]+(\.[A-Za-z0-9_*{}]+)*$/.test(pattern)) throw new ConfigError(key, `"${pattern}" is not a dotted module pattern such as "{package}.domain.services.**".`);
    }
    layers[name] = list;
  }
  return layers;
}

function readSeverity(value: unknown, knownRules: readonly string[]): Record<string, Severity> {
  if (value === undefined) return {};
  if (!isTable(value)) throw new ConfigError(`${TABLE}.severity`, 'expected a table of RULE = "error" | "warning" | "off".');
  const severity: Record<string, Severity> = {};
  for (const [rule, level] of Object.entries(value)) {
    const key = `${TABLE}.severity.${rule}`;
    if (!knownRules.includes(rule)) throw new ConfigError(key, `unknown rule id; rules are ${knownRules.join(', ')}.`);
    if (typeof level !== 'string' || !SEVERITIES.includes(level)) throw new ConfigError(key, 'expected "error", "warning" or "off".');
    severity[rule] = level as Severity;
  }
  return severity;
}

function readIgnores(value: unknown, knownRules: readonly string[], pyprojectText: string): ConfigIgnore[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ConfigError(`${TABLE}.ignore`, 'expected an array of tables: [[tool.layered.ignore]] rule = "LAY003" path = "..." reason = "...".');
  const lines = pyprojectText.split('\n');
  return value.map((entry, index) => {
    const key = `${TABLE}.ignore[${index}]`;
    if (!isTable(entry)) throw new ConfigError(key, 'expected a table with rule, path and reason.');
    for (const field of Object.keys(entry)) {
      if (!['rule', 'path', 'reason'].includes(field)) throw new ConfigError(`${key}.${field}`, 'unknown key; an ignore has rule, path and reason.');
    }
    const rules = typeof entry.rule === 'string' ? [entry.rule] : entry.rule === undefined ? [] : stringList(entry.rule, `${key}.rule`);
    if (rules.length === 0) throw new ConfigError(`${key}.rule`, 'missing; name the rule id(s) to ignore, e.g. rule = "LAY003".');
    for (const rule of rules) {
      if (!knownRules.includes(rule)) throw new ConfigError(`${key}.rule`, `unknown rule id "${rule}"; rules are ${knownRules.join(', ')}.`);
    }
    if (typeof entry.path !== 'string' || entry.path.trim() === '') throw new ConfigError(`${key}.path`, 'missing; give a path glob relative to the project, e.g. "src/api/legacy/**".');
    if (typeof entry.reason !== 'string' || entry.reason.trim() === '') throw new ConfigError(`${key}.reason`, 'missing; every ignore must say why it is acceptable.');
    const line = lines.findIndex((text) => text.includes(JSON.stringify(entry.path)) || text.includes(`'${entry.path}'`));
    return { rules, path: entry.path, reason: entry.reason.trim(), index, line: line + 1 || 1 };
  });
}
