/**
 * The state a full check leaves for incremental runs, and reading it back. On disk, next to the
 * facts cache: `<key>.state.json` (the header), and files named after its generation: `.bin` (per
 * file: mtime, size, hash prefix, record offset, flags), `.records` (each file's record as JSON,
 * read only for the files that need it), `.classes` (the class model, one class a line) and
 * `.modules` (each file's module name). Incremental runs append their changes to
 * `<key>.state.journal`.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { ModuleIndex } from '../../python/module-resolver';
import { isLayerEdge } from '../rules/lay016-no-layer-cycles';
import { FACTS_VERSION, FileFacts, InlineIgnore } from '../scan/facts';
import type { Finding, ModuleInfo, RawFinding } from '../types';

export const STATE_FORMAT = `state-1-facts-${FACTS_VERSION}`;
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


/** The header of the state; the per-file data is in the generation's files. */
export interface StateHeader {
  format: string;
  base: string;
  generation: string;
  count: number;
  /** Files whose record holds findings or ignores. */
  sparse: number[];
  global: GlobalState;
}

/** Bytes per file in `.bin`. */
export const ENTRY_BYTES = 40;
export const FLAG_MODULE = 1;

export interface GlobalState {
  edges: [string, string, number][];
  /** Per layer edge: the file index and finding of the first import behind it. */
  first: Record<string, [number, RawFinding]>;
  /** Modules whose imports were followed to find re-exported classes, with their bindings. */
  owners: Record<string, [string, string][]>;
  layers: string[];
  notes: string[];
  modules: number;
}

/** Thrown when an incremental run cannot answer exactly: the caller runs a full check. */
export class NeedFullCheck extends Error {}

export function stateFile(directory: string, projectRoot: string): string {
  const key = createHash('sha1').update(path.resolve(projectRoot)).digest('hex').slice(0, 16);
  return path.join(directory, `${key}.state.json`);
}

/** A module's layer edges for its record: [to, imports], or undefined when it has none. */
export function layerEdgesOf(module: ModuleInfo): [string, number][] | undefined {
  if (!module.inPackage || module.layer === null) return undefined;
  const counts = new Map<string, number>();
  for (const imp of module.imports) {
    if (!isLayerEdge(module, imp)) continue;
    counts.set(imp.layer as string, (counts.get(imp.layer as string) ?? 0) + 1);
  }
  return counts.size > 0 ? [...counts] : undefined;
}

export function topLevelClasses(facts: FileFacts): { names: string[]; duplicate: boolean } {
  const names = facts.classes.filter((cls) => cls.topLevel).map((cls) => cls.name);
  return { names, duplicate: new Set(names).size !== names.length };
}

export function removeState(file: string): void {
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

/** One incremental run, as a line of the journal: the changed files' new entries, and the new global state. */
export interface Delta {
  files: [number, number, number, string, FileRecord][];
  global: GlobalState;
}

/** The stored state, read lazily: per-file records only when asked for. */
export class StoredState {
  private readonly overrides = new Map<number, { mtime: number; size: number; hash: string; record: FileRecord }>();
  private descriptor: number | null = null;
  deltas = 0;
  global: GlobalState;

  private constructor(
    readonly file: string,
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

  /** Records an incremental run in the journal. */
  appendDelta(delta: Delta): void {
    appendFileSync(`${this.file}.journal`, `${JSON.stringify(delta)}\n`);
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
