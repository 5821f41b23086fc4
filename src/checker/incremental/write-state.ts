/** Writes the state a full check leaves for incremental runs (the format is in stored-state.ts). */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { layersOf } from '../assign-layers';
import type { ProjectFiles } from '../discover';
import type { LoadedProject } from '../resolve';
import { bindingsOf, resolvedBases } from '../rules/helpers';
import { firstImportFinding, RuleRun } from '../run-rules';
import type { Finding, ProjectModel } from '../types';
import { ENTRY_BYTES, FileRecord, FLAG_MODULE, GlobalState, layerEdgesOf, removeState, STATE_FORMAT, StateHeader, stateFile, topLevelClasses } from './stored-state';

/** A full check, as the state records it. */
export interface FullCheck {
  found: ProjectFiles;
  loaded: LoadedProject;
  /** LAY000 findings. */
  unchecked: Finding[];
  run: RuleRun;
}

/** Writes the state of a full check; removes it when the project is one incremental runs do not handle. */
export function writeFullState(directory: string, base: string, full: FullCheck): void {
  const { found, loaded } = full;
  const file = stateFile(directory, loaded.project.root);
  if (!hasUniqueModules(loaded.project) || found.stats.some((stat) => 'problem' in stat)) {
    removeState(file);
    return;
  }
  const indexOf = new Map<string, number>();
  found.files.forEach((entry, index) => indexOf.set(entry.relative, index));
  const { records, sparse } = fileRecords(full, indexOf);
  const bases = resolvedBases(loaded.project);
  const global = globalState(full, indexOf);
  const generation = createHash('sha1').update(`${base}\u0000${process.pid}\u0000${Date.now()}\u0000${Math.random()}`).digest('hex').slice(0, 12);
  mkdirSync(directory, { recursive: true });
  writeIndexAndRecords(`${file}.${generation}`, full, records);
  writeClassModel(`${file}.${generation}.classes`, bases);
  writeModuleNames(`${file}.${generation}.modules`, loaded.project, indexOf, found.files.length);
  const header: StateHeader = { format: STATE_FORMAT, base, generation, count: found.files.length, sparse: [...new Set(sparse)].sort((a, b) => a - b), global };
  removeState(file);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(header));
  renameSync(temporary, file);
}

// Records are keyed by module name: two files that are one module cannot be told apart.
function hasUniqueModules(project: ProjectModel): boolean {
  const seen = new Set<string>();
  return project.modules.every((module) => !seen.has(module.name) && seen.add(module.name));
}

/** Each file's record, by file index, and the files whose records hold findings or ignores. */
function fileRecords(full: FullCheck, indexOf: Map<string, number>): { records: Map<number, FileRecord>; sparse: number[] } {
  const records = new Map<number, FileRecord>();
  const record = (relative: string): FileRecord => {
    const index = indexOf.get(relative) as number;
    let entry = records.get(index);
    if (!entry) records.set(index, (entry = {}));
    return entry;
  };
  for (const finding of full.unchecked) (record(finding.path).u ??= []).push(finding);
  for (const finding of full.run.byRule) (record(finding.path).f ??= []).push(finding);
  const sparse = [...records.keys()];
  for (const module of full.loaded.project.modules) {
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
  return { records, sparse };
}

/** What other modules' findings depend on: layer edges and their first imports, re-export owners, layers, notes. */
function globalState(full: FullCheck, indexOf: Map<string, number>): GlobalState {
  const { project } = full.loaded;
  const owners: GlobalState['owners'] = {};
  for (const owner of project.reexportOwners ?? []) {
    const module = project.byName.get(owner);
    if (module) owners[owner] = [...bindingsOf(module)];
  }
  const first: GlobalState['first'] = {};
  for (const edge of full.run.edges) {
    const key = `${edge.from}->${edge.to}`;
    first[key] = [indexOf.get(edge.first.module.path) as number, full.run.firstFindings.get(key) ?? firstImportFinding(edge)];
  }
  return {
    edges: full.run.edges.map((edge) => [edge.from, edge.to, edge.imports]),
    first,
    owners,
    layers: layersOf(project),
    notes: full.loaded.notes,
    modules: project.modules.length,
  };
}

/** `.bin` (per file: mtime, size, hash prefix, record offset, flags) and `.records` (the records, back to back). */
function writeIndexAndRecords(prefix: string, full: FullCheck, records: Map<number, FileRecord>): void {
  const { found, loaded } = full;
  const count = found.files.length;
  const bin = Buffer.alloc(count * ENTRY_BYTES + 8);
  const descriptor = openSync(`${prefix}.records`, 'w');
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
      // Written in pieces: one string of every record would double peak memory on large projects.
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
  writeFileSync(`${prefix}.bin`, bin);
}

function writeClassModel(file: string, bases: Map<string, string[]>): void {
  const lines: string[] = [];
  for (const [qualified, resolved] of bases) lines.push(resolved.length > 0 ? `${qualified}\t${resolved.join('\t')}` : qualified);
  writeFileSync(file, lines.join('\n'));
}

function writeModuleNames(file: string, project: ProjectModel, indexOf: Map<string, number>, count: number): void {
  const moduleNames: string[] = new Array(count).fill('');
  // Scripts stay out: no import can reach them.
  for (const module of project.modules) if (!module.script) moduleNames[indexOf.get(module.path) as number] = module.name;
  writeFileSync(file, moduleNames.join('\n'));
}
