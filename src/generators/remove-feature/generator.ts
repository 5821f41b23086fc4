import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { joinPathFragments, logger, Tree } from '@nx/devkit';
import { PythonEditError } from '../../python/edit';
import { formatPython, readRuffSettings, RuffSettings } from '../../python/format';
import { unwireFeatureFromErrors, unwireFeatureFromFactory, unwireFeatureFromRouter, unwireFeatureFromTables } from '../../python/unwire';
import { wireProjectModules, WiringStep } from '../../python/wire-modules';
import { FeatureWiring, wireFeatureIntoErrors, wireFeatureIntoFactory, wireFeatureIntoRouter, wireFeatureIntoTables } from '../../python/wiring';
import { assertAppShape, downRevisionsOf, featureWiring, normalizeOptions, NormalizedFeatureSchema } from '../feature/generator';
import { manifestPath, readManifest, recordedFeatures, sha256, WiringRecord, withoutRanges } from '../feature/manifest';
import type { RemoveFeatureGeneratorSchema } from './schema';

const SUPPORT_TEMPLATE = path.join(__dirname, '..', '..', '..', 'files', 'feature-support', 'src', '__packageName__', 'domain', 'repositories', 'session_scope.py.template');

/**
 * `layered:remove-feature <name>`: the inverse of `layered:feature <name>`. It deletes the slice
 * files the feature recorded (refusing, unless --force, those edited since), removes from the four
 * shared modules exactly what the feature inserted, and, for a migration that may have been
 * applied, adds a revision that drops the table instead of deleting history.
 */
export async function removeFeatureGenerator(tree: Tree, schema: RemoveFeatureGeneratorSchema): Promise<() => void> {
  // The name checks and project choice of layered:feature.
  const probe = normalizeOptions(tree, { name: schema.name, project: schema.project });
  const manifest = readManifest(tree, probe.projectRoot, probe.module);
  if (manifest === null) {
    const known = recordedFeatures(tree, probe.projectRoot);
    throw new Error(
      `${probe.projectName} has no feature "${probe.module}": there is no ${manifestPath(probe.projectRoot, probe.module)}, where layered:feature records what it generates. ` +
        `Features recorded in ${probe.projectName}: ${known.join(', ') || 'none'}. (A feature generated before layered recorded features: run \`nx g layered:feature ${probe.module}\` again with its options, which records it, then remove it.) Nothing was written.`,
    );
  }
  const options = normalizeOptions(tree, {
    name: manifest.name,
    project: probe.projectName,
    fields: manifest.fields,
    operations: manifest.operations,
    plural: manifest.plural,
    unique: manifest.unique,
  });
  options.revision = manifest.revision;
  const modules = assertAppShape(tree, options);
  const settings = readRuffSettings(tree, options.projectRoot);
  const report: string[] = [];

  const migration = decideMigration(tree, options);
  const drop = planMigration(tree, options, migration, settings);
  // Slice files: deleted, unless edited since they were generated (then only with --force).
  const files = Object.entries(manifest.files).map(([relative, hash]) => ({ file: joinPathFragments(options.projectRoot, relative), hash }));
  const toDelete = files.filter(({ file }) => tree.exists(file) && !(file === migration.file && migration.keep));
  const edited = toDelete.filter(({ file, hash }) => sha256(tree.read(file)!) !== hash).map(({ file }) => file);
  if (edited.length > 0 && !schema.force) {
    throw new Error(
      `layered:remove-feature would delete ${edited.length} file(s) edited since layered:feature generated them:\n${edited.map((file) => `  - ${file}`).join('\n')}\nNothing was written. Keep your changes elsewhere, or run again with --force to delete them.`,
    );
  }

  // Shared modules: computed (and judged by CPython) before anything is written.
  const feature = featureWiring(options, manifest.layered === 1 && options.ops.list);
  const restored = restoreRecorded(tree, options, manifest.wiring ?? {});
  const unwired = new Map([...restored, ...(await unwireFromApp(tree, options, feature, modules, settings, new Set(restored.keys())))]);
  const before = new Map([...unwired.keys()].map((file) => [file, tree.read(file, 'utf-8') ?? '']));
  report.push(...(await describeUnwiring(before, unwired, feature, modules, settings)));

  for (const { file } of toDelete) tree.delete(file);
  for (const [file, content] of unwired) tree.write(file, content);
  tree.delete(manifestPath(options.projectRoot, options.module));
  if (feature.concurrentReads) removeUnusedSupport(tree, options, settings, report);
  if (edited.length > 0) report.push(`layered:remove-feature: --force deleted ${edited.length} edited file(s): ${edited.join(', ')}.`);
  if (drop.write) tree.write(...drop.write);
  report.push(drop.message);
  report.forEach((line) => logger.info(line));
  return () => undefined;
}

// ---------------------------------------------------------------------------------------------
// The migration

interface MigrationDecision {
  /** The revision file that creates the table. */
  file: string;
  exists: boolean;
  /** Keep it and add a revision that drops the table. */
  keep: boolean;
  why: string;
  /** The revision it follows; null when it is the first. */
  downRevision: string | null;
}

function versionsOf(tree: Tree, options: NormalizedFeatureSchema): Map<string, { file: string; downRevisions: string[] }> {
  const versions = joinPathFragments(options.projectRoot, 'migrations', 'versions');
  const revisions = new Map<string, { file: string; downRevisions: string[] }>();
  for (const child of tree.exists(versions) ? tree.children(versions) : []) {
    if (!child.endsWith('.py')) continue;
    const file = joinPathFragments(versions, child);
    const text = tree.read(file, 'utf-8') ?? '';
    const revision = /^revision\b[^=\n]*=\s*["']([^"']+)["']/m.exec(text)?.[1];
    if (revision) revisions.set(revision, { file, downRevisions: downRevisionsOf(text) });
  }
  return revisions;
}

function trackedByGit(tree: Tree, file: string): boolean {
  try {
    execFileSync('git', ['ls-files', '--error-unmatch', '--', file], { cwd: tree.root, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Conservatively, a revision may have been applied when git tracks it (it was committed, so it may
 * have run anywhere), or when another revision builds on it. Otherwise it only ever existed here.
 */
function decideMigration(tree: Tree, options: NormalizedFeatureSchema): MigrationDecision {
  const file = joinPathFragments(options.projectRoot, 'migrations', 'versions', `rev_${options.revision}_create_${options.pluralModule}.py`);
  if (!tree.exists(file)) return { file, exists: false, keep: false, why: 'it is gone already', downRevision: null };
  const downRevision = downRevisionsOf(tree.read(file, 'utf-8') ?? '')[0] ?? null;
  const children = [...versionsOf(tree, options).entries()].filter(([, { downRevisions }]) => downRevisions.includes(options.revision)).map(([revision]) => revision);
  if (children.length > 0) return { file, exists: true, keep: true, why: `revision ${children.sort().join(', ')} builds on it`, downRevision };
  if (trackedByGit(tree, file)) return { file, exists: true, keep: true, why: 'git tracks it, so a database may have applied it', downRevision };
  const database = joinPathFragments(options.projectRoot, `${options.packageName}.db`);
  if (appliedInDatabase(readLocal(tree, database), options.revision, versionsOf(tree, options))) {
    return { file, exists: true, keep: true, why: `the local database ${database} has applied it`, downRevision };
  }
  return { file, exists: true, keep: false, why: 'git does not track it, no revision builds on it, and the local database has not applied it', downRevision };
}

function readLocal(tree: Tree, file: string): Buffer | null {
  try {
    return readFileSync(path.join(tree.root, file));
  } catch {
    return null;
  }
}

/**
 * Whether a SQLite database (the app's default `./<package>.db`) applied `revision`: its
 * alembic_version holds a head that is `revision` or builds on it. Revision ids are searched in
 * the file's bytes, which finds stale ones too: that only errs towards keeping history.
 */
export function appliedInDatabase(bytes: Buffer | null, revision: string, revisions: Map<string, { downRevisions: string[] }>): boolean {
  if (bytes === null) return false;
  const text = bytes.toString('latin1');
  const reaches = (from: string, seen = new Set<string>()): boolean => {
    if (from === revision) return true;
    if (seen.has(from)) return false;
    seen.add(from);
    return (revisions.get(from)?.downRevisions ?? []).some((parent) => reaches(parent, seen));
  };
  return [...revisions.keys()].some((head) => text.includes(head) && reaches(head));
}

/** The body of the module-level `def <name>()` of a revision, or null. */
function functionBody(text: string, name: string): string | null {
  const match = new RegExp(`^def ${name}\\(\\)[^\\n]*:[ \\t]*\\r?\\n([\\s\\S]*?)(?=^\\S|(?![\\s\\S]))`, 'm').exec(text);
  return match ? match[1].replace(/\s+$/, '') : null;
}

/** What to do about the migration, decided (and refused) before anything is written. */
function planMigration(tree: Tree, options: NormalizedFeatureSchema, migration: MigrationDecision, settings: RuffSettings): { write?: [string, string]; message: string } {
  const project = options.projectName;
  const table = options.pluralModule;
  if (!migration.exists) return { message: `layered:remove-feature: ${migration.file} does not exist, so no migration was written or deleted.` };
  if (!migration.keep) {
    const message = `layered:remove-feature: deleted the migration ${migration.file} (${migration.why}). A database that applied revision ${options.revision} needs it: restore the file, run \`nx run ${project}:migrate-down -- ${migration.downRevision ?? 'base'}\` there, then remove the feature again.`;
    return { message };
  }
  const create = tree.read(migration.file, 'utf-8') ?? '';
  const upgrade = functionBody(create, 'upgrade');
  const downgrade = functionBody(create, 'downgrade');
  if (upgrade === null || downgrade === null) {
    throw new PythonEditError(migration.file, 1, `expected the module-level functions upgrade() and downgrade() that layered:feature wrote, to reverse them in a revision that drops the ${table} table; found ${upgrade === null ? 'no upgrade()' : 'no downgrade()'}. Nothing was written`);
  }
  const revisions = versionsOf(tree, options);
  const parents = new Set([...revisions.values()].flatMap(({ downRevisions }) => downRevisions));
  const heads = [...revisions.keys()].filter((revision) => !parents.has(revision)).sort();
  if (heads.length !== 1) {
    throw new Error(
      `${joinPathFragments(options.projectRoot, 'migrations', 'versions')} has ${heads.length === 0 ? 'no Alembic head' : `several Alembic heads (${heads.join(', ')})`}; the revision that drops ${table} needs one to follow. Merge them first (alembic merge heads), then run again. Nothing was written.`,
    );
  }
  const head = heads[0];
  const revision = createHash('sha1').update(`layered:${options.packageName}:drop:${table}:${head}`).digest('hex').slice(0, 12);
  const file = joinPathFragments(options.projectRoot, 'migrations', 'versions', `rev_${revision}_drop_${table}.py`);
  const text = [
    `"""Drop the ${table} table: layered:remove-feature ${options.module}.`,
    '',
    `Revision ID: ${revision}`,
    `Revises: ${head}`,
    '"""',
    '',
    'from collections.abc import Sequence',
    '',
    'import sqlalchemy as sa',
    'from alembic import op',
    '',
    `revision: str = "${revision}"`,
    `down_revision: str | None = "${head}"`,
    'branch_labels: str | Sequence[str] | None = None',
    'depends_on: str | Sequence[str] | None = None',
    '',
    '',
    'def upgrade() -> None:',
    downgrade,
    '',
    '',
    '# Recreates the table as the revision that created it did.',
    'def downgrade() -> None:',
    upgrade,
    '',
  ].join('\n');
  const uses = /\bsa\./.test(`${upgrade}\n${downgrade}`);
  return {
    write: [file, formatPython(uses ? text : text.replace('import sqlalchemy as sa\n', ''), settings, file)],
    message: `layered:remove-feature: kept the migration ${migration.file} (${migration.why}) and wrote ${file}, which drops the ${table} table (its downgrade recreates it). Run \`nx run ${project}:migrate\`.`,
  };
}

// ---------------------------------------------------------------------------------------------
// The shared modules

/**
 * Modules unchanged since the feature wired them (same sha256 as recorded): the recorded
 * insertions are cut out, which gives back each module exactly as it was before.
 */
function restoreRecorded(tree: Tree, options: NormalizedFeatureSchema, wiring: Record<string, WiringRecord>): Map<string, Buffer> {
  const restored = new Map<string, Buffer>();
  for (const [relative, record] of Object.entries(wiring)) {
    const file = joinPathFragments(options.projectRoot, relative);
    const current = tree.read(file);
    const fits = record.inserted.every(([start, length]) => current !== null && start + length <= current.length);
    if (current !== null && fits && sha256(current) === record.sha256) restored.set(file, withoutRanges(current, record.inserted));
  }
  return restored;
}

async function unwireFromApp(
  tree: Tree,
  options: NormalizedFeatureSchema,
  feature: FeatureWiring,
  modules: ReturnType<typeof assertAppShape>,
  settings: RuffSettings,
  restored: Set<string>,
): Promise<Map<string, string | Buffer>> {
  // The inverse of the feature generator's steps, in reverse order; recorded modules are done.
  const steps = ([
    [modules.router, unwireFeatureFromRouter],
    [modules.factory, unwireFeatureFromFactory],
    [modules.tables, unwireFeatureFromTables],
    [modules.errors, unwireFeatureFromErrors],
  ] as WiringStep[]).filter(([file]) => !restored.has(file));
  return wireProjectModules(tree, options.projectRoot, steps, feature, settings);
}

/** Which modules lost exactly what the feature inserted, and which were edited since (their entries were removed where they are now). */
async function describeUnwiring(
  before: Map<string, string>,
  unwired: Map<string, string | Buffer>,
  feature: FeatureWiring,
  modules: ReturnType<typeof assertAppShape>,
  settings: RuffSettings,
): Promise<string[]> {
  const forward = new Map([
    [modules.router, wireFeatureIntoRouter],
    [modules.factory, wireFeatureIntoFactory],
    [modules.tables, wireFeatureIntoTables],
    [modules.errors, wireFeatureIntoErrors],
  ]);
  const exact: string[] = [];
  const moved: string[] = [];
  for (const [file, content] of unwired) {
    const after = typeof content === 'string' ? content : content.toString('utf-8');
    const rewired = await forward.get(file)!(after, feature, { file, settings, cpythonJudges: true }).catch(() => null);
    (rewired === before.get(file) ? exact : moved).push(file);
  }
  const lines: string[] = [];
  if (exact.length > 0) lines.push(`layered:remove-feature: unwired ${feature.label} from ${exact.join(', ')}, removing exactly what layered:feature inserted.`);
  if (moved.length > 0) {
    lines.push(`layered:remove-feature: ${moved.join(', ')} changed since ${feature.label} was wired; removed its entries where they are now. Review the diff.`);
  }
  if (unwired.size === 0) lines.push(`layered:remove-feature: ${feature.label} was not wired into any shared module.`);
  return lines;
}

/** session_scope.py, written by the first feature with `list` in manifest format 1: deleted once no code uses it, if unedited. */
function removeUnusedSupport(tree: Tree, options: NormalizedFeatureSchema, settings: RuffSettings, report: string[]): void {
  const file = joinPathFragments(options.projectRoot, 'src', options.packageName, 'domain', 'repositories', 'session_scope.py');
  const content = tree.read(file, 'utf-8');
  if (content === null) return;
  const users: string[] = [];
  const visit = (dir: string): void => {
    for (const child of tree.exists(dir) ? tree.children(dir) : []) {
      const entry = joinPathFragments(dir, child);
      if (tree.isFile(entry)) {
        if (entry !== file && entry.endsWith('.py') && /\bsession_scope\b/.test(tree.read(entry, 'utf-8') ?? '')) users.push(entry);
      } else if (child !== '__pycache__') visit(entry);
    }
  };
  for (const dir of ['src', 'tests', 'migrations']) visit(joinPathFragments(options.projectRoot, dir));
  if (users.length > 0) return;
  const generated = formatPython(readFileSync(SUPPORT_TEMPLATE, 'utf-8'), settings, file);
  if (content !== generated) {
    report.push(`layered:remove-feature: kept ${file}: no code uses it any more, but it was edited since layered:feature wrote it.`);
    return;
  }
  tree.delete(file);
}

export default removeFeatureGenerator;
