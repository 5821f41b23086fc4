import { createHash } from 'node:crypto';
import { joinPathFragments, Tree } from '@nx/devkit';
import { Field, parseFields } from '../../python/fields';
import type { NormalizedFeatureSchema, Operation } from './generator';

/**
 * What `layered:feature` generated, so that `layered:remove-feature` can undo exactly that:
 * the options that regenerate the slice, and the sha256 of each slice file as it was written.
 *
 * It lives in `<projectRoot>/.layered-features/<module>.json`, committed with the project.
 * (Not under `.layered/`: the workspace's .gitignore ignores that folder, which holds the
 * check-layers cache and reports.)
 */

export const MANIFEST_FOLDER = '.layered-features';
export const MANIFEST_FORMAT = 2;
/**
 * Formats remove-feature still reads. Features recorded in format 1 listed a page and its total
 * in two concurrent reads, each on a session of its own (SessionScoped in the factory).
 */
export const READABLE_MANIFEST_FORMATS: readonly number[] = [1, MANIFEST_FORMAT];

export interface FeatureManifest {
  /** Format of this file. */
  layered: number;
  /** snake_case module name of the slice, e.g. `recipe_book`. */
  name: string;
  /** `--fields`, normalized: `title:str,servings:int=1,notes:str?`. */
  fields: string;
  /** `--operations`, in their canonical order. */
  operations: string;
  /** `--plural`, as the snake_case table name. */
  plural: string;
  /** `--unique`: the unique field's name, or `none`. */
  unique: string;
  /** The Alembic revision that creates the table. */
  revision: string;
  /** Slice file (relative to the project root) → sha256 of its content as written. */
  files: Record<string, string>;
  /**
   * Shared module (relative to the project root) → what wiring inserted: the sha256 of the module
   * as wired, and the byte ranges [start, length] that were not there before. While the module
   * still has that hash, removing the ranges gives back the module as it was, byte for byte.
   */
  wiring?: Record<string, WiringRecord>;
}

export interface WiringRecord {
  sha256: string;
  inserted: Array<[number, number]>;
}

/** The ranges of `after` that `before` lacks, `before` being a subsequence of `after` (null otherwise). */
export function insertedRanges(before: Buffer, after: Buffer): Array<[number, number]> | null {
  const ranges: Array<[number, number]> = [];
  let i = 0;
  for (let j = 0; j < after.length; j++) {
    if (i < before.length && before[i] === after[j]) {
      i++;
      continue;
    }
    const last = ranges.at(-1);
    if (last && last[0] + last[1] === j) last[1]++;
    else ranges.push([j, 1]);
  }
  return i === before.length ? ranges : null;
}

/** `bytes` without the recorded ranges. */
export function withoutRanges(bytes: Buffer, ranges: Array<[number, number]>): Buffer {
  const kept: Buffer[] = [];
  let at = 0;
  for (const [start, length] of ranges) {
    kept.push(bytes.subarray(at, start));
    at = start + length;
  }
  kept.push(bytes.subarray(at));
  return Buffer.concat(kept);
}

export function manifestPath(projectRoot: string, module: string): string {
  return joinPathFragments(projectRoot, MANIFEST_FOLDER, `${module}.json`);
}

export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** `--fields` as parseFields reads it back to the same fields. */
export function fieldsSpec(fields: Field[]): string {
  return fields.map((f) => `${f.name}:${f.type}${f.optional ? '?' : ''}${f.defaultText !== null ? `=${f.defaultText}` : ''}`).join(',');
}

export function manifestOf(tree: Tree, options: NormalizedFeatureSchema, files: string[], wiring: Record<string, WiringRecord> | undefined): FeatureManifest {
  const spec = fieldsSpec(options.fields);
  if (JSON.stringify(parseFields(spec)) !== JSON.stringify(options.fields)) throw new Error(`internal error: --fields do not round-trip through "${spec}"`);
  const hashes: Record<string, string> = {};
  for (const file of [...files].sort()) {
    const content = tree.read(file);
    if (content !== null) hashes[file.slice(options.projectRoot.length + 1)] = sha256(content);
  }
  return {
    layered: MANIFEST_FORMAT,
    name: options.module,
    fields: spec,
    operations: (Object.keys(options.ops) as Operation[]).filter((op) => options.ops[op]).join(','),
    plural: options.pluralModule,
    unique: options.unique?.name ?? 'none',
    revision: options.revision,
    files: hashes,
    ...(wiring && Object.keys(wiring).length > 0 ? { wiring } : {}),
  };
}

/**
 * Records the slice `files` (workspace paths) of a feature run, and what it inserted into the
 * shared modules (`wiredFrom`: module → its bytes before this run). Records of modules this run
 * did not edit are kept from the previous manifest, so a re-run writes the same bytes.
 */
export function recordFeature(tree: Tree, options: NormalizedFeatureSchema, files: string[], wiredFrom: Map<string, Buffer>): void {
  const file = manifestPath(options.projectRoot, options.module);
  let wiring: Record<string, WiringRecord> = {};
  try {
    wiring = { ...(readManifest(tree, options.projectRoot, options.module)?.wiring ?? {}) };
  } catch {
    // An unreadable manifest is replaced.
  }
  for (const [module, before] of wiredFrom) {
    const after = tree.read(module)!;
    const inserted = insertedRanges(before, after);
    const relative = module.slice(options.projectRoot.length + 1);
    if (inserted === null) delete wiring[relative];
    else wiring[relative] = { sha256: sha256(after), inserted };
  }
  const text = `${JSON.stringify(manifestOf(tree, options, files, wiring), null, 2)}\n`;
  if (tree.read(file, 'utf-8') !== text) tree.write(file, text);
}

/** The modules of the features recorded in the project. */
export function recordedFeatures(tree: Tree, projectRoot: string): string[] {
  const folder = joinPathFragments(projectRoot, MANIFEST_FOLDER);
  if (!tree.exists(folder)) return [];
  return tree
    .children(folder)
    .filter((child) => child.endsWith('.json'))
    .map((child) => child.slice(0, -'.json'.length))
    .sort();
}

/** The feature's manifest, or null when there is none; throws, naming the file, on one it cannot read. */
export function readManifest(tree: Tree, projectRoot: string, module: string): FeatureManifest | null {
  const file = manifestPath(projectRoot, module);
  const text = tree.read(file, 'utf-8');
  if (text === null) return null;
  let value: Partial<FeatureManifest>;
  try {
    value = JSON.parse(text) as Partial<FeatureManifest>;
  } catch (error) {
    throw new Error(`${file}:1: expected the JSON that layered:feature wrote, but it does not parse (${(error as Error).message}). Restore it from version control, then run again.`);
  }
  const strings = ['name', 'fields', 'operations', 'plural', 'unique', 'revision'] as const;
  const bad = strings.find((key) => typeof value[key] !== 'string');
  const files = value.files;
  const filesOk = typeof files === 'object' && files !== null && Object.values(files).every((hash) => typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash));
  const wiring = value.wiring;
  const wiringOk =
    wiring === undefined ||
    (typeof wiring === 'object' &&
      wiring !== null &&
      Object.values(wiring).every(
        (record) =>
          typeof record?.sha256 === 'string' &&
          Array.isArray(record.inserted) &&
          record.inserted.every((range) => Array.isArray(range) && range.length === 2 && range.every((n) => Number.isSafeInteger(n) && n >= 0)),
      ));
  if (!wiringOk) throw new Error(`${file}:1: expected "wiring" to map each shared module to its sha256 and inserted ranges, as layered:feature writes it. Restore it from version control, then run again.`);
  const formatOk = typeof value.layered === 'number' && READABLE_MANIFEST_FORMATS.includes(value.layered);
  if (!formatOk || bad !== undefined || !filesOk) {
    const what = !formatOk ? `"layered": ${MANIFEST_FORMAT}` : bad !== undefined ? `a string "${bad}"` : '"files" mapping each slice file to its sha256';
    throw new Error(`${file}:1: expected ${what}, as layered:feature writes it. Restore it from version control, then run again.`);
  }
  return value as FeatureManifest;
}
