/**
 * An incremental run: rescans the files changed since the stored state and recomputes just their
 * findings, as long as what they contribute to the rest of the project (module set, class model,
 * re-exported names, first imports of layer edges) is unchanged; otherwise it throws NeedFullCheck.
 */
import * as path from 'node:path';
import type { ModulePath } from '../../python/module-resolver';
import { assignLayers } from '../assign-layers';
import type { LayeredConfig } from '../config';
import type { ProjectFiles } from '../discover';
import { LayerLocator } from '../layers';
import type { CollectedFindings } from '../report';
import { moduleInfo, moduleOfFile, readingOf, resolveImports } from '../resolve';
import { bindingsOf, classIndex, importFinding, resolveClassBases, resolvedBases, seedBindings, seedClassModel } from '../rules/helpers';
import { cycleFindings, isLayerEdge } from '../rules/lay016-no-layer-cycles';
import { RULES } from '../rules/registry';
import { severityOf, toFinding, uncheckedFinding } from '../run-rules';
import type { InlineIgnore } from '../scan/facts';
import { CachedFile, FactsCache } from '../scan/facts-cache';
import { scanFiles } from '../scan/scan';
import type { Finding, ModuleInfo, ProjectModel } from '../types';
import { FileRecord, GlobalState, layerEdgesOf, NeedFullCheck, StoredState, topLevelClasses } from './stored-state';

/** An incremental run in progress: the stored state, the changed files, and what was learnt of them. */
interface Recheck {
  projectRoot: string;
  config: LayeredConfig;
  found: ProjectFiles;
  state: StoredState;
  /** Indexes of the changed files, in order. */
  changed: number[];
  /** New records of the changed files. */
  fresh: Map<number, FileRecord>;
  freshFacts: Map<number, CachedFile>;
  /** The changed files that are modules, loaded in full, and their file indexes. */
  loaded: ModuleInfo[];
  loadedIndex: Map<ModuleInfo, number>;
  /** Changed files whose content changed too. */
  rescanned: number;
}

type LayerEdges = { edges: { from: string; to: string; imports: number }[]; first: GlobalState['first'] };

/** The findings of the project from the stored state and the changed files; records the run in the state's journal. */
export function recheckChanged(projectRoot: string, config: LayeredConfig, found: ProjectFiles, state: StoredState, changed: number[]): CollectedFindings {
  const run: Recheck = { projectRoot, config, found, state, changed, fresh: new Map(), freshFacts: new Map(), loaded: [], loadedIndex: new Map(), rescanned: 0 };
  const locator = new LayerLocator(config.layers, config.package);
  loadChangedFiles(run, locator);
  const { project, byNameLoaded } = partialProject(run, locator);
  checkClassModelUnchanged(run, project);
  recordRuleFindings(run, project);
  const previous = storeFreshRecords(run);
  const layerEdges = updatedLayerEdges(run, previous);
  const { findings, ignores } = findingsInFullCheckOrder(run, layerEdges);
  const collected: CollectedFindings = {
    findings,
    ignores,
    edges: layerEdges.edges,
    notes: state.global.notes,
    layers: state.global.layers,
    stats: { files: found.files.length, scanned: run.rescanned, fromCache: found.files.length - run.rescanned, modules: state.global.modules },
  };
  const nextGlobal = nextGlobalState(run, project, byNameLoaded, layerEdges);
  if (changed.length > 0) rememberRun(run, nextGlobal);
  return collected;
}

/** Rescans the changed files into fresh records; the modules among them are loaded in full, with imports and layers. */
function loadChangedFiles(run: Recheck, locator: LayerLocator): void {
  const { found, state, config } = run;
  const scanned = scanFiles(run.changed.map((index) => found.files[index].absolute));
  const { names, index } = state.modules();
  if (names.length !== state.count) throw new NeedFullCheck('module names');
  const paths = new Map<ModuleInfo, ModulePath>();
  run.changed.forEach((fileIndex, position) => {
    const relative = found.files[fileIndex].relative;
    const outcome = scanned[position];
    const old = state.record(fileIndex);
    const record: FileRecord = {};
    run.fresh.set(fileIndex, record);
    const reading = readingOf(relative, outcome);
    if ('skipped' in reading) throw new NeedFullCheck('a note changes');
    if (!('problem' in outcome && !('facts' in outcome))) {
      const entry = outcome as CachedFile;
      run.freshFacts.set(fileIndex, entry);
      if (entry.hash.slice(0, 16) !== state.hash(fileIndex)) run.rescanned++;
    }
    if (reading.unchecked) record.u = [uncheckedFinding(reading.unchecked)];
    const module = reading.facts ? moduleOfFile(relative, config) : null;
    if (reading.facts && module !== null) {
      const info = moduleInfo(relative, module, reading.facts, config);
      run.loaded.push(info);
      run.loadedIndex.set(info, fileIndex);
      paths.set(info, module.modulePath);
      record.m = 1;
    }
    if ((record.m ?? 0) !== (old.m ?? 0)) throw new NeedFullCheck('the module set changes');
  });
  for (const info of run.loaded) info.imports = resolveImports(info, paths.get(info) as ModulePath, index, config);
  assignLayers(run.loaded, locator, config.package);
}

/** A project model of the loaded modules; other modules are known by name, and the class model as stored. */
function partialProject(run: Recheck, locator: LayerLocator): { project: ProjectModel; byNameLoaded: Map<string, ModuleInfo> } {
  const { index, modules: moduleNames } = run.state.modules();
  const byNameLoaded = new Map(run.loaded.filter((info) => !info.script).map((info) => [info.name, info]));
  const project: ProjectModel = {
    root: run.projectRoot,
    config: run.config,
    locator,
    modules: run.loaded,
    byName: new PartialModules(moduleNames, byNameLoaded, run.state.global.owners),
    get moduleNames() {
      return index.names;
    },
    reexportOwners: new Set(Object.keys(run.state.global.owners)),
  };
  seedClassModel(project, run.loaded.length > 0 ? run.state.classModel() : new Map<string, string[]>());
  return { project, byNameLoaded };
}

/** The class model must stay as it was (same classes, same resolved bases, same re-exports); records classes, ignores and edges. */
function checkClassModelUnchanged(run: Recheck, project: ProjectModel): void {
  const bases = resolvedBases(project); // as stored: seeded by `partialProject`
  const classes = classIndex(project);
  for (const info of run.loaded) {
    const fileIndex = run.loadedIndex.get(info) as number;
    const old = run.state.record(fileIndex);
    const record = run.fresh.get(fileIndex) as FileRecord;
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
    const recorded = run.state.global.owners[info.name];
    if (recorded && !sameEntries([...bindingsOf(info)], recorded)) throw new NeedFullCheck('re-exported names change');
    if (info.facts.ignores.length > 0) record.i = info.facts.ignores;
    const moduleEdges = layerEdgesOf(info);
    if (moduleEdges) {
      record.l = info.layer as string;
      record.e = moduleEdges;
    }
  }
}

/** Findings of the loaded modules, rule by rule (LAY016 is global: see `findingsInFullCheckOrder`). */
function recordRuleFindings(run: Recheck, project: ProjectModel): void {
  const pathIndex = new Map(run.loaded.map((info) => [info.path, run.loadedIndex.get(info) as number]));
  for (const rule of RULES) {
    const severity = severityOf(run.config, rule.id, rule.defaultSeverity);
    if (severity === 'off' || rule.id === 'LAY016' || run.loaded.length === 0) continue;
    for (const raw of rule.check(project)) {
      const fileIndex = pathIndex.get(raw.path);
      if (fileIndex === undefined) throw new NeedFullCheck('a finding outside the changed files');
      ((run.fresh.get(fileIndex) as FileRecord).f ??= []).push(toFinding(rule.id, severity, rule.hint, raw));
    }
  }
}

/** Puts the fresh records in the state; returns the records they replace. */
function storeFreshRecords(run: Recheck): Map<number, FileRecord> {
  const previous = new Map<number, FileRecord>();
  for (const [fileIndex, record] of run.fresh) {
    previous.set(fileIndex, run.state.record(fileIndex));
    const stat = (run.found.stats[fileIndex] as { stat: { mtimeMs: number; size: number } }).stat;
    const facts = run.freshFacts.get(fileIndex);
    run.state.set(fileIndex, stat.mtimeMs, stat.size, facts ? facts.hash.slice(0, 16) : '', record);
  }
  return previous;
}

/** Layer edges with the old contributions of the changed files out and the new ones in, and the first import behind each. */
function updatedLayerEdges(run: Recheck, previous: Map<number, FileRecord>): LayerEdges {
  const totals = new Map<string, number>();
  for (const [from, to, imports] of run.state.global.edges) totals.set(`${from}->${to}`, imports);
  const candidates = new Map<string, number>();
  for (const fileIndex of run.changed) {
    const old = previous.get(fileIndex) as FileRecord;
    if (old.e) for (const [to, count] of old.e) totals.set(`${old.l}->${to}`, (totals.get(`${old.l}->${to}`) ?? 0) - count);
    const record = run.fresh.get(fileIndex) as FileRecord;
    if (record.e) {
      for (const [to, count] of record.e) {
        const key = `${record.l}->${to}`;
        totals.set(key, (totals.get(key) ?? 0) + count);
        if (!candidates.has(key)) candidates.set(key, fileIndex);
      }
    }
  }
  const changedSet = new Set(run.changed);
  const first: GlobalState['first'] = {};
  const edges: LayerEdges['edges'] = [];
  for (const [key, imports] of totals) {
    if (imports <= 0) continue;
    const [from, to] = key.split('->');
    edges.push({ from, to, imports });
    first[key] = firstImportOfEdge(run, changedSet, { from, to }, candidates.get(key), run.state.global.first[key]);
  }
  edges.sort((a, b) => (a.from === b.from ? (a.to < b.to ? -1 : 1) : a.from < b.from ? -1 : 1));
  return { edges, first };
}

/** The first import behind an edge: the stored one, or the changed file's (`candidate`) when it comes first. */
function firstImportOfEdge(run: Recheck, changedSet: Set<number>, { from, to }: { from: string; to: string }, candidate: number | undefined, old: GlobalState['first'][string] | undefined): GlobalState['first'][string] {
  let winner: number | undefined;
  if (old && !changedSet.has(old[0])) winner = candidate !== undefined && candidate < old[0] ? candidate : undefined;
  else if (old && (candidate === undefined || candidate > old[0])) {
    // The first import of this edge went away: is there another before the candidate?
    for (let fileIndex = old[0] + 1; fileIndex < (candidate ?? run.state.count); fileIndex++) {
      if (changedSet.has(fileIndex) || !run.state.isModule(fileIndex)) continue;
      const record = run.state.record(fileIndex);
      if (record.l === from && record.e?.some(([target]) => target === to)) throw new NeedFullCheck('first import of an edge');
    }
    winner = candidate;
  } else winner = candidate;
  if (winner === undefined) {
    if (!old) throw new NeedFullCheck('edge without a first import');
    return old;
  }
  const info = run.loaded.find((module) => run.loadedIndex.get(module) === winner) as ModuleInfo;
  const imp = info.imports.find((candidateImport) => candidateImport.layer === to && isLayerEdge(info, candidateImport));
  if (!imp) throw new NeedFullCheck('edge without a first import');
  return [winner, importFinding(info, imp, `${from} layer`)];
}

/** All findings and inline ignores, in the order a full check produces them. */
function findingsInFullCheckOrder(run: Recheck, layerEdges: LayerEdges): { findings: Finding[]; ignores: Map<string, InlineIgnore[]> } {
  const findings: Finding[] = [];
  const withFindings: number[] = [];
  const ignores = new Map<string, InlineIgnore[]>();
  const sparse = new Map<number, FileRecord>();
  for (const fileIndex of run.state.sparse()) {
    const record = run.state.record(fileIndex);
    sparse.set(fileIndex, record);
    if (record.u) findings.push(...record.u);
    if (record.f) withFindings.push(fileIndex);
    if (record.i) ignores.set(run.found.files[fileIndex].relative, record.i);
  }
  for (const rule of RULES) {
    const severity = severityOf(run.config, rule.id, rule.defaultSeverity);
    if (severity === 'off') continue;
    if (rule.id === 'LAY016') {
      for (const raw of cycleFindings(layerEdges.edges, (edge) => layerEdges.first[`${edge.from}->${edge.to}`][1])) findings.push(toFinding(rule.id, severity, rule.hint, raw));
      continue;
    }
    for (const fileIndex of withFindings) for (const finding of (sparse.get(fileIndex) as FileRecord).f as Finding[]) if (finding.rule === rule.id) findings.push(finding);
  }
  return { findings, ignores };
}

function nextGlobalState(run: Recheck, project: ProjectModel, byNameLoaded: Map<string, ModuleInfo>, layerEdges: LayerEdges): GlobalState {
  const global = run.state.global;
  const next: GlobalState = { ...global, edges: layerEdges.edges.map((edge) => [edge.from, edge.to, edge.imports]), first: layerEdges.first, owners: { ...global.owners } };
  for (const owner of project.reexportOwners ?? []) {
    if (owner in next.owners) continue;
    const module = byNameLoaded.get(owner);
    if (!module) throw new NeedFullCheck('unknown re-export owner');
    next.owners[owner] = [...bindingsOf(module)];
  }
  return next;
}

/** Remembers the run: a line in the state journal, the new facts in the facts cache's journal. */
function rememberRun(run: Recheck, nextGlobal: GlobalState): void {
  run.state.appendDelta({
    files: run.changed.map((fileIndex) => {
      const stat = (run.found.stats[fileIndex] as { stat: { mtimeMs: number; size: number } }).stat;
      const facts = run.freshFacts.get(fileIndex);
      return [fileIndex, stat.mtimeMs, stat.size, facts ? facts.hash.slice(0, 16) : '', run.fresh.get(fileIndex) as FileRecord];
    }),
    global: nextGlobal,
  });
  FactsCache.append(path.dirname(run.state.file), run.projectRoot, [...run.freshFacts].map(([fileIndex, entry]) => [run.found.files[fileIndex].relative, entry]));
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
