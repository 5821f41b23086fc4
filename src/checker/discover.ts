/** Stage 1, discover: the project's Python files (in path order) and their stat, before anything is read. */
import { Dirent, existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import type { LayeredConfig } from './config';
import { pathGlobToRegExp } from './layers';

/** Folders never worth scanning: tool caches, environments, VCS data. */
const SKIPPED_DIRECTORIES = new Set([
  '.git', '.hg', '.svn', '.venv', 'venv', '.tox', '.nox', 'node_modules', '__pycache__', '.mypy_cache', '.pytest_cache',
  '.ruff_cache', '.layered', '.nx', '.eggs', 'site-packages',
]);
/** Larger files are not Python anyone wrote by hand; they are skipped with a note. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

export interface DiscoveredFile {
  relative: string;
  absolute: string;
}

/** A folder the discovery listed, by the path it was reached through. */
export interface ListedFolder {
  relative: string;
  absolute: string;
}

/** Where a walk through the project's folders is, and what it found so far. */
interface Walk {
  root: string;
  exclude: RegExp[];
  notes: string[];
  folders: ListedFolder[];
  files: DiscoveredFile[];
  /** Real paths of the folders listed, so a link back up is walked once. */
  visited: Set<string>;
}

export function discoverPythonFiles(root: string, exclude: RegExp[], notes: string[], folders: ListedFolder[] = []): DiscoveredFile[] {
  const walk: Walk = { root, exclude, notes, folders, files: [], visited: new Set() };
  walkFolder(walk, root, '', null);
  return walk.files;
}

// `knownReal` is the folder's real path when known without asking the file system (no link on the way).
function walkFolder(walk: Walk, directory: string, relative: string, knownReal: string | null): void {
  const folder = enterFolder(walk, directory, relative, knownReal);
  if (!folder) return;
  const prefix = relative ? `${relative}/` : '';
  for (const entry of folder.entries) {
    const name = entry.name;
    let isDirectory = entry.isDirectory();
    let isFile = !isDirectory && entry.isFile();
    const link = !isDirectory && !isFile && entry.isSymbolicLink();
    if (!isDirectory && !link && !(isFile && name.endsWith('.py'))) continue;
    const childRelative = prefix + name;
    const childAbsolute = directory + path.sep + name;
    if (link) {
      const target = followLink(walk, childAbsolute, childRelative, name);
      if (!target) continue;
      ({ isDirectory, isFile } = target);
    }
    if (isDirectory) {
      if (SKIPPED_DIRECTORIES.has(name) || excluded(walk.exclude, childRelative)) continue;
      walkFolder(walk, childAbsolute, childRelative, link ? null : folder.real + path.sep + name);
    } else if (isFile && name.endsWith('.py') && !excluded(walk.exclude, childRelative)) {
      walk.files.push({ relative: childRelative, absolute: childAbsolute });
    }
  }
}

/** Lists a folder (sorted by name) the first time its real path is reached; notes why not otherwise. */
function enterFolder(walk: Walk, directory: string, relative: string, knownReal: string | null): { real: string; entries: Dirent[] } | null {
  let real: string;
  try {
    real = knownReal ?? realpathSync(directory);
  } catch {
    walk.notes.push(`${relative || '.'}: skipped, the folder cannot be resolved (broken link?).`);
    return null;
  }
  if (walk.visited.has(real)) {
    walk.notes.push(`${relative}: skipped, symbolic link loop (points back to ${path.relative(walk.root, real) || '.'}).`);
    return null;
  }
  walk.visited.add(real);
  let entries: Dirent[];
  try {
    entries = readdirSync(directory, { withFileTypes: true });
  } catch (error) {
    walk.notes.push(`${relative || '.'}: skipped, cannot list the folder (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
    return null;
  }
  walk.folders.push({ relative, absolute: directory });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { real, entries };
}

/** What a symbolic link points to; null (with a note for a Python file or a loop) when it points nowhere. */
function followLink(walk: Walk, absolute: string, relative: string, name: string): { isDirectory: boolean; isFile: boolean } | null {
  try {
    const target = statSync(absolute);
    return { isDirectory: target.isDirectory(), isFile: target.isFile() };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (name.endsWith('.py') || code === 'ELOOP') walk.notes.push(`${relative}: skipped, ${code === 'ELOOP' ? 'symbolic link loop' : 'broken symbolic link'}.`);
    return null;
  }
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
