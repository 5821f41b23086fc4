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
export const MANIFEST_FORMAT = 1;

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

export function manifestOf(tree: Tree, options: NormalizedFeatureSchema, files: string[]): FeatureManifest {
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
  };
}

/** Records the slice `files` (workspace paths) of a feature run; the same run writes the same bytes. */
export function recordFeature(tree: Tree, options: NormalizedFeatureSchema, files: string[]): void {
  const text = `${JSON.stringify(manifestOf(tree, options, files), null, 2)}\n`;
  const file = manifestPath(options.projectRoot, options.module);
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
  if (value.layered !== MANIFEST_FORMAT || bad !== undefined || !filesOk) {
    const what = value.layered !== MANIFEST_FORMAT ? `"layered": ${MANIFEST_FORMAT}` : bad !== undefined ? `a string "${bad}"` : '"files" mapping each slice file to its sha256';
    throw new Error(`${file}:1: expected ${what}, as layered:feature writes it. Restore it from version control, then run again.`);
  }
  return value as FeatureManifest;
}
