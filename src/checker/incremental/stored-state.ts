/**
 * Incremental checks. A full run leaves a compact per-file state next to the facts cache: each
 * file's findings, inline ignores, layer edges and top-level classes (with their resolved bases),
 * plus the few global facts other modules' findings depend on. A later run that sees only a few
 * changed files rescans just those and recomputes just their findings, as long as what they
 * contribute to the rest of the project (module set, class model, re-exported names) is unchanged;
 * otherwise it says so and the caller runs a full check. Either way the result is the same.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { ModuleIndex, ModulePath } from '../../python/module-resolver';
import { CachedFile, FactsCache } from '../scan/facts-cache';
import { layeredVersion } from '../version';
import type { LayeredConfig } from '../config';
import { FACTS_VERSION, FileFacts, InlineIgnore } from '../scan/facts';
import { bindingsOf, classIndex, importFinding, IncompleteClassModel, resolveClassBases, resolvedBases, seedBindings, seedClassModel } from '../rules/helpers';
import { cycleFindings, isLayerEdge, LayerEdge } from '../rules/lay016-no-layer-cycles';
import { LayerLocator } from '../layers';
import { LoadedProject, moduleInfo, moduleOfFile, ProjectFiles, resolveImports } from '../discover';
import { RULES } from '../rules/registry';
import { scanFiles } from '../scan/scan';
import type { Finding, ModuleInfo, ProjectModel, RawFinding } from '../types';

const STATE_FORMAT = `state-1-facts-${FACTS_VERSION}`;
/** More changed files than this: a full check (with its parallel scan) is as quick. */
const MAX_CHANGED = 256;
/** Delta lines after which the next full check rewrites the state. */
export const MAX_DELTAS = 200;

/** What one file contributes to the result. Absent keys are empty. */
export interface FileRecord {
  /** A module (has facts and a module name). */
  m?: 1;
  /** LAY000 findings. */
  u?: Finding[];
  /** Rule findings (LAY016 aside), in the order the rules produced them. */
  f?: Finding[];
  i?: InlineIgnore[];
  /** Layer of an app module with edges to other layers, and those edges: [to, imports]. */
  l?: string;
  e?: [string, number][];
  /** Names of the top-level classes (their resolved bases are in the class model). */
  k?: string[];
  /** Two top-level classes share a name. */
  d?: 1;
}

/**
 * On disk: `<key>.state.json` (this header), and files named after its generation: `.bin` (per
 * file: mtime, size, hash prefix, record offset, flags), `.records` (each file's record as JSON,
 * read only for the files that need it) and `.classes` (the class model, one class a line).
 * Incremental runs append their changes to `<key>.state.journal`.
 */
interface StateHeader {
  format: string;
  base: string;
  generation: string;
  count: number;
  /** Files whose record holds findings or ignores. */
  sparse: number[];
  global: GlobalState;
}

const ENTRY_BYTES = 40;
const FLAG_MODULE = 1;

interface GlobalState {
  edges: [string, string, number][];
  /** Per layer edge: the file index and finding of the first import behind it. */
  first: Record<string, [number, RawFinding]>;
  /** Modules whose imports were followed to find re-exported classes, with their bindings. */
  owners: Record<string, [string, string][]>;
  layers: string[];
  notes: string[];
  modules: number;
}

/** How many checks were answered incrementally in this process, and the state journal's length after the last one. */
export const incrementalRuns = { count: 0, deltas: 0 };

/** Thrown when an incremental run cannot answer exactly: the caller runs a full check. */
class NeedFullCheck extends Error {}

export interface ProjectFindings {
  findings: Finding[];
  notes: string[];
  layers: string[];
  graph: { from: string; to: string; imports: number; violations: string[] }[];
  stats: LoadedProject['stats'] & { modules: number };
}

/** Shared with the full check: how raw findings become the final list. */
export interface Assembly {
  toFinding(rule: string, severity: 'error' | 'warning', hint: string, raw: RawFinding): Finding;
  finish(all: Finding[], ignores: Map<string, InlineIgnore[]>, edges: { from: string; to: string; imports: number }[], rest: Omit<ProjectFindings, 'findings' | 'graph'>): ProjectFindings;
  uncheckedFinding(file: { path: string; line: number; col: number; problem: string }): Finding;
  severity(ruleId: string, defaultSeverity: 'error' | 'warning'): 'error' | 'warning' | 'off';
}

function stateFile(directory: string, projectRoot: string): string {
  const key = createHash('sha1').update(path.resolve(projectRoot)).digest('hex').slice(0, 16);
  return path.join(directory, `${key}.state.json`);
}

/** Everything the state depends on besides the files' contents. */
export function stateBase(pyproject: string, config: LayeredConfig, found: ProjectFiles, pathsDigest: string): string {
  const hash = createHash('sha1').update(`${STATE_FORMAT}\u0000${layeredVersion()}\u0000${pyproject}\u0000${JSON.stringify(config)}\u0000${pathsDigest}\u0000`);
  for (const note of found.notes) hash.update(`${note}\n`);
  return hash.digest('hex');
}

function layerEdgesOf(module: ModuleInfo): [string, number][] | undefined {
  if (!module.inPackage || module.layer === null) return undefined;
  const counts = new Map<string, number>();
  for (const imp of module.imports) {
    if (!isLayerEdge(module, imp)) continue;
    counts.set(imp.layer as string, (counts.get(imp.layer as string) ?? 0) + 1);
  }
  return counts.size > 0 ? [...counts] : undefined;
}

function topLevelClasses(facts: FileFacts): { names: string[]; duplicate: boolean } {
  const names = facts.classes.filter((cls) => cls.topLevel).map((cls) => cls.name);
  return { names, duplicate: new Set(names).size !== names.length };
}

function removeState(file: string): void {
  const header = readHeader(file);
  rmSync(file, { force: true });
  rmSync(`${file}.journal`, { force: true });
  if (header) for (const suffix of ['bin', 'records', 'classes', 'modules']) rmSync(`${file}.${header.generation}.${suffix}`, { force: true });
}

function readHeader(file: string): StateHeader | undefined {
  try {
    const header = JSON.parse(readFileSync(file, 'utf-8')) as StateHeader;
    return header.format === STATE_FORMAT ? header : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the state of a full check; removes it when the project is one incremental runs do not handle. */
export function writeFullState(
  directory: string,
  loaded: LoadedProject,
  found: ProjectFiles,
  base: string,
  unchecked: Finding[],
  ruleFindings: Finding[],
  edges: LayerEdge[],
  firstFindings: Map<string, RawFinding>,
): void {
  const file = stateFile(directory, loaded.project.root);
  const { project } = loaded;
  const seen = new Set<string>();
  const unique = project.modules.every((module) => !seen.has(module.name) && seen.add(module.name));
  if (!unique || found.stats.some((stat) => 'problem' in stat) || !loaded.hashes) {
    removeState(file);
    return;
  }
  const count = found.files.length;
  const indexOf = new Map<string, number>();
  found.files.forEach((entry, index) => indexOf.set(entry.relative, index));
  const records = new Map<number, FileRecord>();
  const record = (relative: string): FileRecord => {
    const index = indexOf.get(relative) as number;
    let entry = records.get(index);
    if (!entry) records.set(index, (entry = {}));
    return entry;
  };
  for (const finding of unchecked) (record(finding.path).u ??= []).push(finding);
  for (const finding of ruleFindings) (record(finding.path).f ??= []).push(finding);
  const sparse = [...records.keys()];
  const bases = resolvedBases(project);
  for (const module of project.modules) {
    const entry = record(module.path);
    entry.m = 1;
    if (module.facts.ignores.length > 0) {
      entry.i = module.facts.ignores;
      sparse.push(indexOf.get(module.path) as number);
    }
    const moduleEdges = layerEdgesOf(module);
    if (moduleEdges) {
      entry.l = module.layer as string;
      entry.e = moduleEdges;
    }
    const classes = topLevelClasses(module.facts);
    if (classes.duplicate) entry.d = 1;
    else if (classes.names.length > 0) entry.k = classes.names;
  }
  const owners: GlobalState['owners'] = {};
  for (const owner of project.reexportOwners ?? []) {
    const module = project.byName.get(owner);
    if (module) owners[owner] = [...bindingsOf(module)];
  }
  const first: GlobalState['first'] = {};
  for (const edge of edges) first[`${edge.from}->${edge.to}`] = [indexOf.get(edge.first.module.path) as number, firstFindings.get(`${edge.from}->${edge.to}`) as RawFinding];
  const generation = createHash('sha1').update(`${base}\u0000${process.pid}\u0000${Date.now()}\u0000${Math.random()}`).digest('hex').slice(0, 12);
  mkdirSync(directory, { recursive: true });

  const bin = Buffer.alloc(count * ENTRY_BYTES + 8);
  const descriptor = openSync(`${file}.${generation}.records`, 'w');
  let offset = 0;
  try {
    let chunk: string[] = [];
    let chunkBytes = 0;
    for (let index = 0; index < count; index++) {
      const stat = (found.stats[index] as { stat: { mtimeMs: number; size: number } }).stat;
      const entry = records.get(index);
      const text = entry ? JSON.stringify(entry) : '';
      const at = index * ENTRY_BYTES;
      bin.writeDoubleLE(stat.mtimeMs, at);
      bin.writeDoubleLE(stat.size, at + 8);
      if (loaded.hashes[index]) bin.write(loaded.hashes[index], at + 16, 8, 'hex');
      bin.writeDoubleLE(offset, at + 24);
      bin.writeUInt32LE(entry?.m ? FLAG_MODULE : 0, at + 32);
      const bytes = Buffer.byteLength(text);
      offset += bytes;
      chunk.push(text);
      chunkBytes += bytes;
      if (chunkBytes > 1 << 20) {
        writeSync(descriptor, chunk.join(''));
        chunk = [];
        chunkBytes = 0;
      }
    }
    writeSync(descriptor, chunk.join(''));
  } finally {
    closeSync(descriptor);
  }
  bin.writeDoubleLE(offset, count * ENTRY_BYTES);
  writeFileSync(`${file}.${generation}.bin`, bin);
  const lines: string[] = [];
  for (const [qualified, resolved] of bases) lines.push(resolved.length > 0 ? `${qualified}\t${resolved.join('\t')}` : qualified);
  writeFileSync(`${file}.${generation}.classes`, lines.join('\n'));
  const moduleNames: string[] = new Array(count).fill('');
  // Scripts stay out: no import can reach them.
  for (const module of project.modules) if (!module.script) moduleNames[indexOf.get(module.path) as number] = module.name;
  writeFileSync(`${file}.${generation}.modules`, moduleNames.join('\n'));
  const header: StateHeader = {
    format: STATE_FORMAT,
    base,
    generation,
    count,
    sparse: [...new Set(sparse)].sort((a, b) => a - b),
    global: {
      edges: edges.map((edge) => [edge.from, edge.to, edge.imports]),
      first,
      owners,
      layers: [...new Set(project.modules.filter((m) => m.inPackage && m.layer).map((m) => m.layer as string))].sort(),
      notes: loaded.notes,
      modules: project.modules.length,
    },
  };
  removeState(file);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(header));
  renameSync(temporary, file);
}

interface Delta {
  files: [number, number, number, string, FileRecord][];
  global: GlobalState;
}

/** The stored state, read lazily: per-file records only when asked for. */
class StoredState {
  private readonly overrides = new Map<number, { mtime: number; size: number; hash: string; record: FileRecord }>();
  private descriptor: number | null = null;
  deltas = 0;
  global: GlobalState;

  private constructor(
    private readonly file: string,
    readonly header: StateHeader,
    private readonly bin: Buffer,
  ) {
    this.global = header.global;
  }

  static read(file: string): StoredState | undefined {
    const header = existsSync(file) ? readHeader(file) : undefined;
    if (!header) return undefined;
    try {
      const bin = readFileSync(`${file}.${header.generation}.bin`);
      if (bin.length !== header.count * ENTRY_BYTES + 8) return undefined;
      const state = new StoredState(file, header, bin);
      if (existsSync(`${file}.journal`)) {
        for (const line of readFileSync(`${file}.journal`, 'utf-8').split('\n')) {
          if (line === '') continue;
          const delta = JSON.parse(line) as Delta;
          for (const [index, mtime, size, hash, record] of delta.files) state.overrides.set(index, { mtime, size, hash, record });
          state.global = delta.global;
          state.deltas++;
        }
      }
      return state;
    } catch {
      return undefined;
    }
  }

  get count(): number {
    return this.header.count;
  }

  mtime(index: number): number {
    return this.overrides.get(index)?.mtime ?? this.bin.readDoubleLE(index * ENTRY_BYTES);
  }

  size(index: number): number {
    return this.overrides.get(index)?.size ?? this.bin.readDoubleLE(index * ENTRY_BYTES + 8);
  }

  hash(index: number): string {
    return this.overrides.get(index)?.hash ?? this.bin.toString('hex', index * ENTRY_BYTES + 16, index * ENTRY_BYTES + 24);
  }

  isModule(index: number): boolean {
    return (this.bin.readUInt32LE(index * ENTRY_BYTES + 32) & FLAG_MODULE) !== 0;
  }

  record(index: number): FileRecord {
    const override = this.overrides.get(index);
    if (override) return override.record;
    const start = this.bin.readDoubleLE(index * ENTRY_BYTES + 24);
    const end = this.bin.readDoubleLE((index + 1) * ENTRY_BYTES + (index + 1 === this.count ? 0 : 24));
    if (end === start) return {};
    try {
      this.descriptor ??= openSync(`${this.file}.${this.header.generation}.records`, 'r');
      const bytes = Buffer.allocUnsafe(end - start);
      readSync(this.descriptor, bytes, 0, bytes.length, start);
      return JSON.parse(bytes.toString('utf-8')) as FileRecord;
    } catch {
      // Replaced by a concurrent full run, or damaged: answer with a full check.
      throw new NeedFullCheck('state records unreadable');
    }
  }

  set(index: number, mtime: number, size: number, hash: string, record: FileRecord): void {
    this.overrides.set(index, { mtime, size, hash, record });
  }

  /** Files whose records may hold findings or ignores, in order. */
  sparse(): number[] {
    return [...new Set([...this.header.sparse, ...this.overrides.keys()])].sort((a, b) => a - b);
  }

  classModel(): Map<string, string[]> {
    const parsed = this.parsed();
    parsed.classes ??= new TextClassModel(`\n${this.text('classes')}\n`);
    return parsed.classes;
  }

  /** Module name of each file ('' when it is not a module), and their index. */
  modules(): NonNullable<ParsedGeneration['modules']> {
    const parsed = this.parsed();
    if (!parsed.modules) {
      const names = this.text('modules').split('\n');
      parsed.modules = { names, ...moduleIndexOf(names) };
    }
    return parsed.modules;
  }

  // A generation's files are written once and never changed: what was parsed from them serves
  // later checks in the same process too (the check server's).
  private parsed(): ParsedGeneration {
    const key = `${this.file}.${this.header.generation}`;
    if (lastGeneration?.key !== key) lastGeneration = { key };
    return lastGeneration;
  }

  private text(suffix: string): string {
    try {
      return readFileSync(`${this.file}.${this.header.generation}.${suffix}`, 'utf-8');
    } catch {
      throw new NeedFullCheck(`state ${suffix} unreadable`);
    }
  }

  close(): void {
    if (this.descriptor !== null) closeSync(this.descriptor);
    this.descriptor = null;
  }
}

interface ParsedGeneration {
  key: string;
  classes?: TextClassModel;
  modules?: { names: string[]; index: ModuleIndex; modules: Set<string> };
}

let lastGeneration: ParsedGeneration | null = null;

/** The class model as stored (a class a line: qualified name, then its bases), looked up without parsing it all. */
class TextClassModel extends Map<string, string[]> {
  private readonly found = new Map<string, string[] | null>();

  constructor(private readonly text: string) {
    super();
  }

  override get(qualified: string): string[] | undefined {
    let bases = this.found.get(qualified);
    if (bases === undefined) {
      let at = this.text.indexOf(`\n${qualified}\n`);
      if (at >= 0) bases = [];
      else {
        at = this.text.indexOf(`\n${qualified}\t`);
        bases = at < 0 ? null : this.text.slice(at + qualified.length + 2, this.text.indexOf('\n', at + 1)).split('\t');
      }
      this.found.set(qualified, bases);
    }
    return bases ?? undefined;
  }

  override has(qualified: string): boolean {
    return this.get(qualified) !== undefined;
  }
}

/** Module names known to exist, resolving to loaded modules, to stand-ins with recorded bindings, or to a full check. */
class PartialModules extends Map<string, ModuleInfo> {
  constructor(
    private readonly names: Set<string>,
    private readonly loaded: Map<string, ModuleInfo>,
    private readonly owners: GlobalState['owners'],
  ) {
    super();
  }

  override get(name: string): ModuleInfo | undefined {
    const module = this.loaded.get(name) ?? super.get(name);
    if (module) return module;
    if (!this.names.has(name)) return undefined;
    const recorded = this.owners[name];
    if (!recorded) throw new NeedFullCheck(`module ${name} is needed`);
    const standIn = { name } as ModuleInfo;
    seedBindings(standIn, new Map(recorded));
    super.set(name, standIn);
    return standIn;
  }

  override has(name: string): boolean {
    return this.names.has(name);
  }
}

function sameEntries(a: [string, string][], b: [string, string][]): boolean {
  return a.length === b.length && a.every(([key, value], i) => b[i][0] === key && b[i][1] === value);
}

const sameBases = (a: string[], b: string[]): boolean => a.length === b.length && a.every((base, i) => base === b[i]);

/**
 * The findings of the project, from the state of the last run and a rescan of the files changed
 * since; undefined when that cannot give the exact result of a full check.
 */
export function incrementalFindings(projectRoot: string, config: LayeredConfig, found: ProjectFiles, directory: string, base: string, assembly: Assembly): ProjectFindings | undefined {
  if (found.stats.some((stat) => 'problem' in stat)) return undefined;
  // Chains run through the whole import graph: any edit may make or break one far away.
  if (config.chains && assembly.severity('LAY017', 'error') !== 'off') return undefined;
  const file = stateFile(directory, projectRoot);
  const state = StoredState.read(file);
  if (!state || state.header.base !== base || state.count !== found.files.length || state.deltas >= MAX_DELTAS) return undefined;
  const changed: number[] = [];
  for (let index = 0; index < found.files.length; index++) {
    const stat = (found.stats[index] as { stat: { mtimeMs: number; size: number } }).stat;
    if (stat.mtimeMs !== state.mtime(index) || stat.size !== state.size(index)) {
      changed.push(index);
      if (changed.length > MAX_CHANGED) return undefined;
    }
  }
  try {
    const result = incrementalRun(projectRoot, config, found, state, changed, assembly, file);
    incrementalRuns.count++;
    incrementalRuns.deltas = state.deltas + (changed.length > 0 ? 1 : 0);
    return result;
  } catch (error) {
    if (error instanceof NeedFullCheck || error instanceof IncompleteClassModel) return undefined;
    throw error;
  } finally {
    state.close();
  }
}

/** The module index of all module names (what `resolveImportTarget` asks of a `ModuleIndex`), and the set of modules. */
function moduleIndexOf(names: string[]): { index: ModuleIndex; modules: Set<string> } {
  const modules = new Set<string>();
  const packages = new Set<string>();
  for (const name of names) {
    if (name === '') continue;
    modules.add(name);
    let dot = name.lastIndexOf('.');
    while (dot > 0) {
      const parent = name.slice(0, dot);
      if (packages.has(parent)) break;
      packages.add(parent);
      dot = parent.lastIndexOf('.');
    }
  }
  return { index: new UnionIndex(modules, packages) as unknown as ModuleIndex, modules };
}

class UnionIndex {
  private all: Set<string> | null = null;

  constructor(
    private readonly modules: Set<string>,
    private readonly packages: Set<string>,
  ) {}

  /** Modules and packages, built only if asked for. */
  get names(): Set<string> {
    this.all ??= new Set([...this.modules, ...this.packages]);
    return this.all;
  }

  has(module: string): boolean {
    return this.modules.has(module) || this.packages.has(module);
  }

  hasSubmodules(module: string): boolean {
    return this.packages.has(module);
  }
}

function incrementalRun(projectRoot: string, config: LayeredConfig, found: ProjectFiles, state: StoredState, changed: number[], assembly: Assembly, file: string): ProjectFindings {
  const global = state.global;
  const scanned = scanFiles(changed.map((index) => found.files[index].absolute));
  const locator = new LayerLocator(config.layers, config.package);
  const { names, index, modules: moduleNames } = state.modules();
  if (names.length !== state.count) throw new NeedFullCheck('module names');

  // New records of the changed files; modules among them are loaded in full.
  const fresh = new Map<number, FileRecord>();
  const freshFacts = new Map<number, CachedFile>();
  const loaded: ModuleInfo[] = [];
  const loadedIndex = new Map<ModuleInfo, number>();
  const paths = new Map<ModuleInfo, ModulePath>();
  let rescanned = 0;
  changed.forEach((fileIndex, position) => {
    const relative = found.files[fileIndex].relative;
    const outcome = scanned[position];
    const old = state.record(fileIndex);
    const record: FileRecord = {};
    fresh.set(fileIndex, record);
    const unchecked = (line: number, col: number, problem: string): void => {
      record.u = [assembly.uncheckedFinding({ path: relative, line, col, problem })];
    };
    if ('problem' in outcome && !('facts' in outcome)) {
      if (outcome.problem.startsWith('skipped:')) throw new NeedFullCheck('a note changes');
      unchecked(1, 1, outcome.problem);
    } else {
      const entry = outcome as CachedFile;
      freshFacts.set(fileIndex, entry);
      if (entry.hash.slice(0, 16) !== state.hash(fileIndex)) rescanned++;
      if (entry.facts === null) {
        const [problem, where] = (entry.problem ?? 'cannot be decoded@1:1').split(/@(?=\d+:\d+$)/);
        const [line, col] = (where ?? '1:1').split(':').map(Number);
        unchecked(line, col, problem);
      } else {
        const facts = entry.facts;
        if (facts.error) unchecked(facts.error.line, facts.error.col + 1, `syntax error: ${facts.error.message}`);
        const module = moduleOfFile(relative, config);
        if (module !== null) {
          const info = moduleInfo(relative, module, facts, config, locator);
          loaded.push(info);
          loadedIndex.set(info, fileIndex);
          paths.set(info, module.modulePath);
          record.m = 1;
        }
      }
    }
    if ((record.m ?? 0) !== (old.m ?? 0)) throw new NeedFullCheck('the module set changes');
  });
  for (const info of loaded) info.imports = resolveImports(info, paths.get(info) as ModulePath, index, locator, config);

  const byNameLoaded = new Map(loaded.filter((info) => !info.script).map((info) => [info.name, info]));
  const project: ProjectModel = {
    root: projectRoot,
    config,
    locator,
    modules: loaded,
    byName: new PartialModules(moduleNames, byNameLoaded, global.owners),
    get moduleNames() {
      return index.names;
    },
    reexportOwners: new Set(Object.keys(global.owners)),
  };

  // The class model must stay as it was: same classes, same resolved bases.
  const bases = loaded.length > 0 ? state.classModel() : new Map<string, string[]>();
  seedClassModel(project, bases);
  const classes = classIndex(project);
  for (const info of loaded) {
    const fileIndex = loadedIndex.get(info) as number;
    const old = state.record(fileIndex);
    const record = fresh.get(fileIndex) as FileRecord;
    const { names: classNames, duplicate } = topLevelClasses(info.facts);
    if (duplicate || old.d) throw new NeedFullCheck('duplicate class names');
    const before = old.k ?? [];
    if (classNames.length !== before.length || classNames.some((name, i) => before[i] !== name)) throw new NeedFullCheck('classes change');
    for (const fact of info.facts.classes) {
      if (!fact.topLevel) continue;
      const resolved = resolveClassBases(project, info, fact, classes);
      if (!sameBases(resolved, bases.get(`${info.name}.${fact.name}`) ?? [])) throw new NeedFullCheck('class bases change');
    }
    if (classNames.length > 0) record.k = classNames;
    const recorded = global.owners[info.name];
    if (recorded && !sameEntries([...bindingsOf(info)], recorded)) throw new NeedFullCheck('re-exported names change');
    if (info.facts.ignores.length > 0) record.i = info.facts.ignores;
    const moduleEdges = layerEdgesOf(info);
    if (moduleEdges) {
      record.l = info.layer as string;
      record.e = moduleEdges;
    }
  }

  // Findings of the loaded modules, rule by rule (LAY016 is global, below).
  const pathIndex = new Map(loaded.map((info) => [info.path, loadedIndex.get(info) as number]));
  for (const rule of RULES) {
    const severity = assembly.severity(rule.id, rule.defaultSeverity);
    if (severity === 'off' || rule.id === 'LAY016' || loaded.length === 0) continue;
    for (const raw of rule.check(project)) {
      const fileIndex = pathIndex.get(raw.path);
      if (fileIndex === undefined) throw new NeedFullCheck('a finding outside the changed files');
      ((fresh.get(fileIndex) as FileRecord).f ??= []).push(assembly.toFinding(rule.id, severity, rule.hint, raw));
    }
  }
  const previous = new Map<number, FileRecord>();
  for (const [fileIndex, record] of fresh) {
    previous.set(fileIndex, state.record(fileIndex));
    const stat = (found.stats[fileIndex] as { stat: { mtimeMs: number; size: number } }).stat;
    const facts = freshFacts.get(fileIndex);
    state.set(fileIndex, stat.mtimeMs, stat.size, facts ? facts.hash.slice(0, 16) : '', record);
  }

  // Layer edges: the old contributions of the changed files out, the new ones in.
  const totals = new Map<string, number>();
  for (const [from, to, imports] of global.edges) totals.set(`${from}->${to}`, imports);
  const candidates = new Map<string, number>();
  for (const fileIndex of changed) {
    const old = previous.get(fileIndex) as FileRecord;
    if (old.e) for (const [to, count] of old.e) totals.set(`${old.l}->${to}`, (totals.get(`${old.l}->${to}`) ?? 0) - count);
    const record = fresh.get(fileIndex) as FileRecord;
    if (record.e) {
      for (const [to, count] of record.e) {
        const key = `${record.l}->${to}`;
        totals.set(key, (totals.get(key) ?? 0) + count);
        if (!candidates.has(key)) candidates.set(key, fileIndex);
      }
    }
  }
  const changedSet = new Set(changed);
  const first: GlobalState['first'] = {};
  const edges: { from: string; to: string; imports: number }[] = [];
  for (const [key, imports] of totals) {
    if (imports <= 0) continue;
    const [from, to] = key.split('->');
    edges.push({ from, to, imports });
    const candidate = candidates.get(key);
    const old = global.first[key];
    let winner: number | undefined;
    if (old && !changedSet.has(old[0])) winner = candidate !== undefined && candidate < old[0] ? candidate : undefined;
    else if (old && (candidate === undefined || candidate > old[0])) {
      // The first import of this edge went away: is there another before the candidate?
      for (let fileIndex = old[0] + 1; fileIndex < (candidate ?? state.count); fileIndex++) {
        if (changedSet.has(fileIndex) || !state.isModule(fileIndex)) continue;
        const record = state.record(fileIndex);
        if (record.l === from && record.e?.some(([target]) => target === to)) throw new NeedFullCheck('first import of an edge');
      }
      winner = candidate;
    } else winner = candidate;
    if (winner === undefined) {
      if (!old) throw new NeedFullCheck('edge without a first import');
      first[key] = old;
      continue;
    }
    const info = loaded.find((module) => loadedIndex.get(module) === winner) as ModuleInfo;
    const imp = info.imports.find((candidateImport) => candidateImport.layer === to && isLayerEdge(info, candidateImport));
    if (!imp) throw new NeedFullCheck('edge without a first import');
    first[key] = [winner, importFinding(info, imp, `${from} layer`)];
  }
  edges.sort((a, b) => (a.from === b.from ? (a.to < b.to ? -1 : 1) : a.from < b.from ? -1 : 1));

  // All findings in the order a full check produces them.
  const all: Finding[] = [];
  const withFindings: number[] = [];
  const ignores = new Map<string, InlineIgnore[]>();
  const sparse = new Map<number, FileRecord>();
  for (const fileIndex of state.sparse()) {
    const record = state.record(fileIndex);
    sparse.set(fileIndex, record);
    if (record.u) all.push(...record.u);
    if (record.f) withFindings.push(fileIndex);
    if (record.i) ignores.set(found.files[fileIndex].relative, record.i);
  }
  for (const rule of RULES) {
    const severity = assembly.severity(rule.id, rule.defaultSeverity);
    if (severity === 'off') continue;
    if (rule.id === 'LAY016') {
      for (const raw of cycleFindings(edges, (edge) => first[`${edge.from}->${edge.to}`][1])) all.push(assembly.toFinding(rule.id, severity, rule.hint, raw));
      continue;
    }
    for (const fileIndex of withFindings) for (const finding of (sparse.get(fileIndex) as FileRecord).f as Finding[]) if (finding.rule === rule.id) all.push(finding);
  }

  const nextGlobal: GlobalState = { ...global, edges: edges.map((edge) => [edge.from, edge.to, edge.imports]), first, owners: { ...global.owners } };
  for (const owner of project.reexportOwners ?? []) {
    if (owner in nextGlobal.owners) continue;
    const module = byNameLoaded.get(owner);
    if (!module) throw new NeedFullCheck('unknown re-export owner');
    nextGlobal.owners[owner] = [...bindingsOf(module)];
  }
  const result = assembly.finish(all, ignores, edges, {
    notes: global.notes,
    layers: global.layers,
    stats: { files: found.files.length, scanned: rescanned, fromCache: found.files.length - rescanned, modules: global.modules },
  });

  // Remember the run: a line in the state journal, the new facts in the facts cache's journal.
  if (changed.length > 0) {
    const delta: Delta = {
      files: changed.map((fileIndex) => {
        const stat = (found.stats[fileIndex] as { stat: { mtimeMs: number; size: number } }).stat;
        const facts = freshFacts.get(fileIndex);
        return [fileIndex, stat.mtimeMs, stat.size, facts ? facts.hash.slice(0, 16) : '', fresh.get(fileIndex) as FileRecord];
      }),
      global: nextGlobal,
    };
    appendFileSync(`${file}.journal`, `${JSON.stringify(delta)}\n`);
    FactsCache.append(path.dirname(file), projectRoot, [...freshFacts].map(([fileIndex, entry]) => [found.files[fileIndex].relative, entry]));
  }
  return result;
}
