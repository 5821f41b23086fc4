/** Stage 3, resolve: the project's modules from their facts, and each import resolved to a module. */
import { ModuleIndex, moduleNameForPath, ModulePath, resolveImportTarget } from '../python/module-resolver';
import type { LayeredConfig } from './config';
import type { ProjectFiles } from './discover';
import { LayerLocator } from './layers';
import type { FileFacts } from './scan/facts';
import type { CachedFile } from './scan/facts-cache';
import type { FilesRead } from './scan/read-facts';
import type { ScanOutcome } from './scan/scan';
import type { ModuleInfo, ProjectModel, ResolvedImport } from './types';

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
  stats: FilesRead['stats'];
  /** Per file: the first 16 hex digits of its content hash ('' when it could not be read). */
  hashes: string[];
}

/** What one file's scan gives the model: its facts (none when unreadable) and what left it unchecked, or why it was skipped. */
export type FileReading = { facts: FileFacts | null; unchecked: UncheckedFile | null } | { skipped: string };

export function readingOf(relative: string, outcome: ScanOutcome): FileReading {
  if ('problem' in outcome && !('facts' in outcome)) {
    if (outcome.problem.startsWith('skipped:')) return { skipped: outcome.problem.slice(9) };
    return { facts: null, unchecked: { path: relative, line: 1, col: 1, problem: outcome.problem } };
  }
  const entry = outcome as CachedFile;
  if (entry.facts === null) {
    const [problem, where] = (entry.problem ?? 'cannot be decoded@1:1').split(/@(?=\d+:\d+$)/);
    const [line, col] = (where ?? '1:1').split(':').map(Number);
    return { facts: null, unchecked: { path: relative, line, col, problem } };
  }
  const error = entry.facts.error;
  return { facts: entry.facts, unchecked: error ? { path: relative, line: error.line, col: error.col + 1, problem: `syntax error: ${error.message}` } : null };
}

/** Builds the project model: modules with facts and resolved imports (layers come next, from `assignLayers`). */
export function resolveProject(root: string, config: LayeredConfig, found: ProjectFiles, read: FilesRead): LoadedProject {
  const built = modulesOf(found, read.outcomes, config);
  for (const info of built.modules) info.imports = resolveImports(info, built.paths.get(info) as ModulePath, built.index, config);
  const byName = new Map<string, ModuleInfo>();
  for (const info of built.modules) if (!info.script) byName.set(info.name, info);
  const notes = [...found.notes, ...built.skipped, ...scriptNotes(built.scripts)].sort();
  const locator = new LayerLocator(config.layers, config.package);
  const project: ProjectModel = { root, config, locator, modules: built.modules, byName, moduleNames: built.index.names };
  return { project, unchecked: built.unchecked, notes, stats: read.stats, hashes: read.hashes };
}

interface BuiltModules {
  modules: ModuleInfo[];
  paths: Map<ModuleInfo, ModulePath>;
  index: ModuleIndex;
  unchecked: UncheckedFile[];
  /** Notes on files skipped on purpose. */
  skipped: string[];
  /** Files no import can reach. */
  scripts: string[];
}

function modulesOf(found: ProjectFiles, outcomes: ScanOutcome[], config: LayeredConfig): BuiltModules {
  const built: BuiltModules = { modules: [], paths: new Map(), index: new ModuleIndex(), unchecked: [], skipped: [], scripts: [] };
  for (const [position, file] of found.files.entries()) {
    const reading = readingOf(file.relative, outcomes[position]);
    if ('skipped' in reading) {
      built.skipped.push(`${file.relative}: ${reading.skipped}.`);
      continue;
    }
    if (reading.unchecked) built.unchecked.push(reading.unchecked);
    if (reading.facts === null) continue;
    const located = moduleOfFile(file.relative, config);
    if (located === null) continue;
    if (located.script) built.scripts.push(file.relative);
    else built.index.add(located.modulePath.name);
    const info = moduleInfo(file.relative, located, reading.facts, config);
    built.modules.push(info);
    built.paths.set(info, located.modulePath);
  }
  return built;
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
export function moduleInfo(relative: string, found: { modulePath: ModulePath; script: boolean }, facts: FileFacts, config: LayeredConfig): ModuleInfo {
  const name = found.modulePath.name;
  const info: ModuleInfo = {
    name,
    path: relative,
    isPackage: found.modulePath.isPackage,
    inPackage: name === config.package || name.startsWith(`${config.package}.`),
    layer: null,
    facts: found.script ? { ...facts, classes: [], functions: [], references: [], controlFlow: [], httpStatuses: [] } : facts,
    imports: [],
  };
  if (found.script) info.script = true;
  return info;
}

/** One note per folder with files no import can reach. */
function scriptNotes(scripts: string[]): string[] {
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

function sourceRootOf(relative: string, sourceRoots: string[]): string {
  let best = '';
  for (const root of sourceRoots) {
    const normalized = root.replace(/^\.\/?/, '').replace(/\/$/, '');
    if (normalized === '') continue;
    if (relative.startsWith(`${normalized}/`) && normalized.length > best.length) best = normalized;
  }
  return best;
}

export function resolveImports(info: ModuleInfo, modulePath: ModulePath, index: ModuleIndex, config: LayeredConfig): ResolvedImport[] {
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
        layer: null,
        line: statement.kind === 'from' && statement.names.length > 1 ? name.line : statement.line,
        col: (statement.kind === 'from' && statement.names.length > 1 ? name.col : statement.col) + 1,
      });
    }
  }
  return resolved;
}
