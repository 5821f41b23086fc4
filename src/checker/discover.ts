/** Finds a project's Python files, reads their facts (through the cache) and resolves their imports. */
import { Dirent, existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { ModuleIndex, moduleNameForPath, ModulePath, resolveImportTarget } from '../python/module-resolver';
import { CachedFile, FactsCache } from './scan/facts-cache';
import { ScanOutcome, scanFiles } from './scan/scan';
import type { LayeredConfig } from './config';
import type { FileFacts } from './scan/facts';
import { LayerLocator, pathGlobToRegExp } from './layers';
import type { ModuleInfo, ProjectModel, ResolvedImport } from './types';

/** Folders never worth scanning: tool caches, environments, VCS data. */
const SKIPPED_DIRECTORIES = new Set([
  '.git', '.hg', '.svn', '.venv', 'venv', '.tox', '.nox', 'node_modules', '__pycache__', '.mypy_cache', '.pytest_cache',
  '.ruff_cache', '.layered', '.nx', '.eggs', 'site-packages',
]);
/** Larger files are not Python anyone wrote by hand; they are skipped with a note. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

export interface UncheckedFile {
  path: string;
  line: number;
  col: number;
  problem: string;
}

export interface LoadedProject {
  project: ProjectModel;
  /** Files that could not be read, decoded or tokenized: reported as LAY000. */
  unchecked: UncheckedFile[];
  /** Things skipped on purpose (symlink loops, huge files), for the report. */
  notes: string[];
  stats: { files: number; scanned: number; fromCache: number };
  /** Per file: the first 16 hex digits of its content hash ('' when it could not be read). */
  hashes?: string[];
}

export interface DiscoveredFile {
  relative: string;
  absolute: string;
}

/** A folder the discovery listed, by the path it was reached through. */
export interface ListedFolder {
  relative: string;
  absolute: string;
}

export function discoverPythonFiles(root: string, exclude: RegExp[], notes: string[], folders: ListedFolder[] = []): DiscoveredFile[] {
  const files: DiscoveredFile[] = [];
  const visited = new Set<string>();
  // `real` is the folder's real path when known without asking the file system (no link on the way).
  const walk = (directory: string, relative: string, knownReal: string | null): void => {
    let real: string;
    try {
      real = knownReal ?? realpathSync(directory);
    } catch {
      notes.push(`${relative || '.'}: skipped, the folder cannot be resolved (broken link?).`);
      return;
    }
    if (visited.has(real)) {
      notes.push(`${relative}: skipped, symbolic link loop (points back to ${path.relative(root, real) || '.'}).`);
      return;
    }
    visited.add(real);
    let entries: Dirent[];
    try {
      entries = readdirSync(directory, { withFileTypes: true });
    } catch (error) {
      notes.push(`${relative || '.'}: skipped, cannot list the folder (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
      return;
    }
    folders.push({ relative, absolute: directory });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const prefix = relative ? `${relative}/` : '';
    for (const entry of entries) {
      const name = entry.name;
      let isDirectory = entry.isDirectory();
      let isFile = !isDirectory && entry.isFile();
      const link = !isDirectory && !isFile && entry.isSymbolicLink();
      if (!isDirectory && !link && !(isFile && name.endsWith('.py'))) continue;
      const childRelative = prefix + name;
      const childAbsolute = directory + path.sep + name;
      if (link) {
        try {
          const target = statSync(childAbsolute);
          isDirectory = target.isDirectory();
          isFile = target.isFile();
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (name.endsWith('.py') || code === 'ELOOP') notes.push(`${childRelative}: skipped, ${code === 'ELOOP' ? 'symbolic link loop' : 'broken symbolic link'}.`);
          continue;
        }
      }
      if (isDirectory) {
        if (SKIPPED_DIRECTORIES.has(name) || excluded(exclude, childRelative)) continue;
        walk(childAbsolute, childRelative, link ? null : real + path.sep + name);
      } else if (isFile && name.endsWith('.py') && !excluded(exclude, childRelative)) {
        files.push({ relative: childRelative, absolute: childAbsolute });
      }
    }
  };
  walk(root, '', null);
  return files;
}

function excluded(patterns: RegExp[], relative: string): boolean {
  return patterns.some((pattern) => pattern.test(relative));
}

export type StatOutcome = { stat: { mtimeMs: number; size: number } } | { problem: string };

/** The files of a project and their stat, found before anything is read. */
export interface ProjectFiles {
  files: DiscoveredFile[];
  stats: StatOutcome[];
  notes: string[];
  /** Every folder listed on the way (the check server watches them). */
  folders: ListedFolder[];
}

export function findProjectFiles(root: string, config: LayeredConfig): ProjectFiles {
  const notes: string[] = [];
  const folders: ListedFolder[] = [];
  const files = discoverPythonFiles(root, config.exclude.map(pathGlobToRegExp), notes, folders);
  return { files, stats: statFiles(files), notes, folders };
}

/** Whether a project-relative path is skipped by discovery (a tool folder or an excluded path). */
export function skippedByDiscovery(relative: string, exclude: RegExp[]): boolean {
  return relative.split('/').some((part) => SKIPPED_DIRECTORIES.has(part)) || excluded(exclude, relative);
}

/** From this many files on, a worker thread stats part of them. */
const PARALLEL_STAT_THRESHOLD = 20_000;
/** Files this thread stats while the worker starts. */
const STAT_WORKER_HEAD_START = 10_000;
const STAT_WORKER_FILE = path.join(__dirname, 'stat-worker.js');

function statFiles(files: DiscoveredFile[]): StatOutcome[] {
  const configured = process.env.LAYERED_SCAN_WORKERS;
  const allowed = configured === undefined || Number(configured) > 0;
  if (files.length < PARALLEL_STAT_THRESHOLD || !allowed || availableParallelism() < 2 || !existsSync(STAT_WORKER_FILE)) return files.map(statFile);
  const split = files.length - Math.floor((files.length - STAT_WORKER_HEAD_START) / 2);
  const values = new SharedArrayBuffer((files.length - split) * 16);
  const signal = new SharedArrayBuffer(4);
  let worker: Worker | null = null;
  try {
    worker = new Worker(STAT_WORKER_FILE, { workerData: { paths: files.slice(split).map((file) => file.absolute).join('\u0000'), values, signal } });
    worker.unref();
  } catch {
    return files.map(statFile);
  }
  const stats: StatOutcome[] = new Array(files.length);
  for (let index = 0; index < split; index++) stats[index] = statFile(files[index]);
  const done = new Int32Array(signal);
  const finished = Atomics.wait(done, 0, 0, 60_000) !== 'timed-out' || Atomics.load(done, 0) === 1;
  void worker.terminate();
  const out = new Float64Array(values);
  for (let index = split; index < files.length; index++) {
    const mtimeMs = out[(index - split) * 2];
    const size = out[(index - split) * 2 + 1];
    // Anything unusual (an error, a huge file, no answer) is stat'ed again here, for the exact message.
    stats[index] = finished && !Number.isNaN(mtimeMs) && size <= MAX_FILE_BYTES ? { stat: { mtimeMs, size } } : statFile(files[index]);
  }
  return stats;
}

/** Digest of the list of files (paths only), and one that also changes whenever a file is touched or resized. */
export function filesSignature(found: ProjectFiles): { paths: string; stats: string } {
  const paths = createHash('sha1').update(found.files.map((file) => file.relative).join('\u0000')).digest('hex');
  const numbers = new Float64Array(found.files.length * 2);
  const hash = createHash('sha1').update(paths);
  found.stats.forEach((stated, index) => {
    if ('stat' in stated) {
      numbers[index * 2] = stated.stat.mtimeMs;
      numbers[index * 2 + 1] = stated.stat.size;
    } else {
      numbers[index * 2] = Number.NaN;
      hash.update(`${index}\u0000${stated.problem}\n`);
    }
  });
  hash.update(new Uint8Array(numbers.buffer));
  for (const note of found.notes) hash.update(`${note}\n`);
  return { paths, stats: hash.digest('hex') };
}

export function statFile(file: DiscoveredFile): StatOutcome {
  try {
    const stat = statSync(file.absolute, { throwIfNoEntry: false });
    if (stat === undefined) return { problem: 'cannot be read (ENOENT)' };
    if (stat.size > MAX_FILE_BYTES) return { problem: `skipped: ${(stat.size / 1024 / 1024).toFixed(1)} MB is over the ${MAX_FILE_BYTES / 1024 / 1024} MB limit` };
    // Keep two numbers, not the whole Stats object: 65,000 of those weigh ~80 MB.
    return { stat: { mtimeMs: stat.mtimeMs, size: stat.size } };
  } catch (error) {
    return { problem: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
}

/** Facts of every file, in order: from the cache when unchanged, else scanned (on worker threads for many files). */
function factsOfFiles(files: DiscoveredFile[], fileStats: StatOutcome[], cache: FactsCache, stats: LoadedProject['stats']): ScanOutcome[] {
  const outcomes: ScanOutcome[] = new Array(files.length);
  const pending: number[] = [];
  files.forEach((file, index) => {
    const stated = fileStats[index];
    if ('problem' in stated) outcomes[index] = stated;
    else {
      const cached = cache.lookup(file.relative, stated.stat.mtimeMs, stated.stat.size);
      if (cached) {
        stats.fromCache++;
        outcomes[index] = cached;
      } else pending.push(index);
    }
  });
  const scanned = scanFiles(pending.map((index) => files[index].absolute));
  pending.forEach((index, position) => {
    const outcome = scanned[position];
    if ('problem' in outcome && !('facts' in outcome)) {
      outcomes[index] = outcome;
      return;
    }
    const entry = outcome as CachedFile;
    const same = cache.lookupByHash(files[index].relative, entry.hash, entry.mtimeMs, entry.size);
    if (same) {
      stats.fromCache++;
      outcomes[index] = same;
      return;
    }
    stats.scanned++;
    cache.store(files[index].relative, entry);
    outcomes[index] = entry;
  });
  return outcomes;
}

/**
 * The module a file is, or for a file no import can reach (`migrations/0001_initial.py`) a
 * dotted stand-in name for locating its layer and resolving its relative imports.
 */
export function moduleOfFile(relative: string, config: LayeredConfig): { modulePath: ModulePath; script: boolean } | null {
  const sourceRoot = sourceRootOf(relative, config.sourceRoots);
  const inRoot = sourceRoot ? relative.slice(sourceRoot.length + 1) : relative;
  const modulePath = moduleNameForPath(inRoot);
  if (modulePath !== null) return { modulePath, script: false };
  const parts = inRoot.replace(/\.py$/, '').split('/').filter((part) => part !== '.' && part !== '' && part !== '__init__');
  return parts.length === 0 ? null : { modulePath: { name: parts.join('.'), isPackage: false }, script: true };
}

/** A module of the project; a script keeps only the facts about its imports (and ignores). */
export function moduleInfo(relative: string, found: { modulePath: ModulePath; script: boolean }, facts: FileFacts, config: LayeredConfig, locator: LayerLocator): ModuleInfo {
  const name = found.modulePath.name;
  const inPackage = name === config.package || name.startsWith(`${config.package}.`);
  const info: ModuleInfo = {
    name,
    path: relative,
    isPackage: found.modulePath.isPackage,
    inPackage,
    layer: inPackage ? locator.layerOf(name) : null,
    facts: found.script ? { ...facts, classes: [], functions: [], references: [], controlFlow: [], httpStatuses: [] } : facts,
    imports: [],
  };
  if (found.script) info.script = true;
  return info;
}

/** One note per folder with files no import can reach. */
export function scriptNotes(scripts: string[]): string[] {
  const byFolder = new Map<string, string[]>();
  for (const relative of scripts) {
    const slash = relative.lastIndexOf('/');
    const folder = slash < 0 ? '.' : relative.slice(0, slash);
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), relative.slice(slash + 1)]);
  }
  return [...byFolder].map(([folder, names]) => {
    const which = names.length === 1 ? `\`${names[0]}\` is not importable` : `${names.length} files (e.g. \`${names[0]}\`) are not importable`;
    const checked = names.length === 1 ? 'checked as a script: its own imports count, nothing else' : 'checked as scripts: their own imports count, nothing else';
    return `${folder}/: ${which} (the path is not made of Python identifiers); ${checked}`;
  });
}

export function sourceRootOf(relative: string, sourceRoots: string[]): string {
  let best = '';
  for (const root of sourceRoots) {
    const normalized = root.replace(/^\.\/?/, '').replace(/\/$/, '');
    if (normalized === '') continue;
    if (relative.startsWith(`${normalized}/`) && normalized.length > best.length) best = normalized;
  }
  return best;
}

export interface LoadOptions {
  cacheDirectory: string | null;
  /** Files already found (and stat'ed) by the caller. */
  found?: ProjectFiles;
}

/** Builds the project model: modules with facts, layers and resolved imports. */
export function loadProject(root: string, config: LayeredConfig, options: LoadOptions): LoadedProject {
  const unchecked: UncheckedFile[] = [];
  const found = options.found ?? findProjectFiles(root, config);
  const { files } = found;
  const notes = [...found.notes];
  const stats = { files: files.length, scanned: 0, fromCache: 0 };
  const cache = FactsCache.open(options.cacheDirectory, root);
  const locator = new LayerLocator(config.layers, config.package);
  const index = new ModuleIndex();
  const modules: ModuleInfo[] = [];
  const paths = new Map<ModuleInfo, ModulePath>();

  const outcomes = factsOfFiles(files, found.stats, cache, stats);
  const scripts: string[] = [];
  for (const [position, file] of files.entries()) {
    const result = outcomes[position];
    if ('problem' in result && !('facts' in result)) {
      if (result.problem.startsWith('skipped:')) notes.push(`${file.relative}: ${result.problem.slice(9)}.`);
      else unchecked.push({ path: file.relative, line: 1, col: 1, problem: result.problem });
      continue;
    }
    const entry = result as CachedFile;
    if (entry.facts === null) {
      const [problem, position] = (entry.problem ?? 'cannot be decoded@1:1').split(/@(?=\d+:\d+$)/);
      const [line, col] = (position ?? '1:1').split(':').map(Number);
      unchecked.push({ path: file.relative, line, col, problem });
      continue;
    }
    const facts: FileFacts = entry.facts;
    if (facts.error) unchecked.push({ path: file.relative, line: facts.error.line, col: facts.error.col + 1, problem: `syntax error: ${facts.error.message}` });
    const located = moduleOfFile(file.relative, config);
    if (located === null) continue;
    if (located.script) scripts.push(file.relative);
    else index.add(located.modulePath.name);
    const info = moduleInfo(file.relative, located, facts, config, locator);
    modules.push(info);
    paths.set(info, located.modulePath);
  }
  cache.save();
  const hashes = outcomes.map((outcome) => ('hash' in outcome ? outcome.hash.slice(0, 16) : ''));

  for (const info of modules) info.imports = resolveImports(info, paths.get(info) as ModulePath, index, locator, config);
  const byName = new Map<string, ModuleInfo>();
  for (const info of modules) if (!info.script) byName.set(info.name, info);
  notes.push(...scriptNotes(scripts));
  return { project: { root, config, locator, modules, byName, moduleNames: index.names }, unchecked, notes: notes.sort(), stats, hashes };
}

export function resolveImports(info: ModuleInfo, modulePath: ModulePath, index: ModuleIndex, locator: LayerLocator, config: LayeredConfig): ResolvedImport[] {
  const resolved: ResolvedImport[] = [];
  for (const statement of info.facts.imports) {
    if (statement.typeChecking && !config.typeCheckingImports) continue;
    for (const name of statement.names) {
      const target = resolveImportTarget(index, modulePath, statement, name.name);
      if (target === null) continue;
      const internal = target.internal;
      resolved.push({
        statement,
        name,
        target: target.module,
        internal,
        external: internal ? null : target.module.split('.')[0],
        layer: internal && (target.module === config.package || target.module.startsWith(`${config.package}.`)) ? locator.layerOf(target.module) : null,
        line: statement.kind === 'from' && statement.names.length > 1 ? name.line : statement.line,
        col: (statement.kind === 'from' && statement.names.length > 1 ? name.col : statement.col) + 1,
      });
    }
  }
  return resolved;
}
