/** Finds a project's Python files, reads their facts (through the cache) and resolves their imports. */
import { closeSync, Dirent, fstatSync, openSync, readdirSync, readSync, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { TextDecoder } from 'node:util';
import { ModuleIndex, moduleNameForPath, ModulePath, resolveImportTarget } from '../python/module-resolver';
import { CachedFile, contentHash, FactsCache } from './cache';
import type { LayeredConfig } from './config';
import { FileFacts, readFileFacts } from './facts';
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
}

interface DiscoveredFile {
  relative: string;
  absolute: string;
}

export function discoverPythonFiles(root: string, exclude: RegExp[], notes: string[]): DiscoveredFile[] {
  const files: DiscoveredFile[] = [];
  const visited = new Set<string>();
  const walk = (directory: string, relative: string): void => {
    let real: string;
    try {
      real = realpathSync(directory);
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
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const childRelative = relative ? `${relative}/${entry.name}` : entry.name;
      const childAbsolute = path.join(directory, entry.name);
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const target = statSync(childAbsolute);
          isDirectory = target.isDirectory();
          isFile = target.isFile();
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (entry.name.endsWith('.py') || code === 'ELOOP') notes.push(`${childRelative}: skipped, ${code === 'ELOOP' ? 'symbolic link loop' : 'broken symbolic link'}.`);
          continue;
        }
      }
      if (isDirectory) {
        if (SKIPPED_DIRECTORIES.has(entry.name) || excluded(exclude, childRelative)) continue;
        walk(childAbsolute, childRelative);
      } else if (isFile && entry.name.endsWith('.py') && !excluded(exclude, childRelative)) {
        files.push({ relative: childRelative, absolute: childAbsolute });
      }
    }
  };
  walk(root, '');
  return files;
}

function excluded(patterns: RegExp[], relative: string): boolean {
  return patterns.some((pattern) => pattern.test(relative));
}

const PYTHON_CODEC_ALIASES: Record<string, string> = { 'latin-1': 'latin1', 'iso-latin-1': 'latin1', 'l1': 'latin1', cp1252: 'windows-1252', ascii: 'utf-8', 'us-ascii': 'utf-8' };
const CODING_COOKIE = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

/** Decodes Python source as Python does: UTF-8 unless a coding cookie in the first two lines says otherwise. */
export function decodePython(bytes: Uint8Array): { text: string } | { problem: string; line: number; col: number } {
  let encoding = 'utf-8';
  const head = Buffer.from(bytes.subarray(0, 400)).toString('latin1').split('\n').slice(0, 2);
  for (const line of head) {
    const match = CODING_COOKIE.exec(line);
    if (match) {
      encoding = match[1].toLowerCase().replace(/_/g, '-');
      break;
    }
    if (!/^[ \t\f]*(#.*)?\r?$/.test(line)) break;
  }
  if (encoding === 'utf8' || encoding.startsWith('utf-8')) encoding = 'utf-8';
  // Python codec names that WHATWG labels spell differently.
  encoding = PYTHON_CODEC_ALIASES[encoding] ?? encoding;
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: true });
  } catch {
    return { problem: `unknown source encoding "${encoding}" in the coding declaration`, line: 1, col: 1 };
  }
  try {
    return { text: decoder.decode(bytes) };
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const before = Buffer.from(bytes.subarray(0, offset)).toString('latin1');
    const line = before.split('\n').length;
    return { problem: `cannot be decoded as ${encoding} (invalid byte 0x${bytes[offset]?.toString(16).padStart(2, '0')} at offset ${offset})`, line, col: offset - before.lastIndexOf('\n') };
  }
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const byte = bytes[i];
    const size = byte < 0x80 ? 1 : byte >> 5 === 6 ? 2 : byte >> 4 === 14 ? 3 : byte >> 3 === 30 ? 4 : 0;
    if (size === 0) return i;
    for (let k = 1; k < size; k++) if (bytes[i + k] === undefined || bytes[i + k] >> 6 !== 2) return i;
    i += size;
  }
  return 0;
}

function readWhole(absolute: string): { bytes: Buffer; mtimeMs: number; size: number } {
  const descriptor = openSync(absolute, 'r');
  try {
    const stat = fstatSync(descriptor);
    const bytes = Buffer.allocUnsafe(stat.size);
    let offset = 0;
    while (offset < stat.size) {
      const read = readSync(descriptor, bytes, offset, stat.size - offset, offset);
      if (read === 0) break;
      offset += read;
    }
    return { bytes: bytes.subarray(0, offset), mtimeMs: stat.mtimeMs, size: stat.size };
  } finally {
    closeSync(descriptor);
  }
}

/** Reads one file's facts, from the cache when its stat or content hash is unchanged. */
function factsOf(file: DiscoveredFile, cache: FactsCache, stats: LoadedProject['stats']): CachedFile | { problem: string } {
  let stat;
  try {
    stat = statSync(file.absolute);
  } catch (error) {
    return { problem: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  if (stat.size > MAX_FILE_BYTES) return { problem: `skipped: ${(stat.size / 1024 / 1024).toFixed(1)} MB is over the ${MAX_FILE_BYTES / 1024 / 1024} MB limit` };
  const cached = cache.lookup(file.relative, stat.mtimeMs, stat.size);
  if (cached) {
    stats.fromCache++;
    return cached;
  }
  let read;
  try {
    read = readWhole(file.absolute);
  } catch (error) {
    return { problem: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  const hash = contentHash(read.bytes);
  const same = cache.lookupByHash(file.relative, hash, read.mtimeMs, read.size);
  if (same) {
    stats.fromCache++;
    return same;
  }
  stats.scanned++;
  const decoded = decodePython(read.bytes);
  const entry: CachedFile =
    'text' in decoded
      ? { mtimeMs: read.mtimeMs, size: read.size, hash, facts: readFileFacts(decoded.text) }
      : { mtimeMs: read.mtimeMs, size: read.size, hash, facts: null, problem: `${decoded.problem}@${decoded.line}:${decoded.col}` };
  cache.store(file.relative, entry);
  return entry;
}

function sourceRootOf(relative: string, sourceRoots: string[]): string {
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
}

/** Builds the project model: modules with facts, layers and resolved imports. */
export function loadProject(root: string, config: LayeredConfig, options: LoadOptions): LoadedProject {
  const notes: string[] = [];
  const unchecked: UncheckedFile[] = [];
  const stats = { files: 0, scanned: 0, fromCache: 0 };
  const exclude = config.exclude.map(pathGlobToRegExp);
  const files = discoverPythonFiles(root, exclude, notes);
  stats.files = files.length;
  const cache = FactsCache.open(options.cacheDirectory, root);
  const locator = new LayerLocator(config.layers, config.package);
  const index = new ModuleIndex();
  const modules: ModuleInfo[] = [];
  const paths = new Map<ModuleInfo, ModulePath>();

  for (const file of files) {
    const sourceRoot = sourceRootOf(file.relative, config.sourceRoots);
    const modulePath = moduleNameForPath(sourceRoot ? file.relative.slice(sourceRoot.length + 1) : file.relative);
    const result = factsOf(file, cache, stats);
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
    if (modulePath === null) continue;
    index.add(modulePath.name);
    const inPackage = modulePath.name === config.package || modulePath.name.startsWith(`${config.package}.`);
    const info: ModuleInfo = {
      name: modulePath.name,
      path: file.relative,
      isPackage: modulePath.isPackage,
      inPackage,
      layer: inPackage ? locator.layerOf(modulePath.name) : null,
      facts,
      imports: [],
    };
    modules.push(info);
    paths.set(info, modulePath);
  }
  cache.save();

  for (const info of modules) info.imports = resolveImports(info, paths.get(info) as ModulePath, index, locator, config);
  const byName = new Map<string, ModuleInfo>();
  for (const info of modules) byName.set(info.name, info);
  return { project: { root, config, locator, modules, byName, moduleNames: index.names }, unchecked, notes: notes.sort(), stats };
}

function resolveImports(info: ModuleInfo, modulePath: ModulePath, index: ModuleIndex, locator: LayerLocator, config: LayeredConfig): ResolvedImport[] {
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
