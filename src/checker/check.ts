/**
 * The checker's pipeline: each stage is a module with one job, run in this order.
 *   discover -> read and scan (facts cache) -> resolve imports -> assign layers -> run rules
 *   -> ignores -> report -> baseline
 * `LastRun` (incremental/) decides how much of the previous run can be reused instead.
 */
import * as path from 'node:path';
import { assignLayers, layersOf } from './assign-layers';
import { applyBaseline, BaselineEntry, readBaseline, writeBaseline } from './baseline';
import { LayeredConfig, loadConfig } from './config';
import { findProjectFiles, ProjectFiles } from './discover';
import { applyIgnores, inlineIgnoresOf } from './ignores';
import { LastRun } from './incremental/last-run';
import { CollectedFindings, GraphEdge, ProjectFindings, reportOf } from './report';
import { resolveProject } from './resolve';
import { RULE_IDS } from './rules/registry';
import { runRules, uncheckedFinding } from './run-rules';
import { FactsCache } from './scan/facts-cache';
import { readFacts } from './scan/read-facts';
import type { Finding } from './types';

export interface CheckResult {
  /** What fails the run (or warns): sorted by path, line, column, rule. */
  findings: Finding[];
  /** Findings absorbed by the baseline. */
  baselined: number;
  /** Baseline entries that no longer occur. */
  disappeared: BaselineEntry[];
  notes: string[];
  layers: string[];
  graph: GraphEdge[];
  stats: ProjectFindings['stats'];
  /** Set when the run wrote a baseline. */
  baselineWritten?: string;
}

export interface CheckOptions {
  /** Directory of the per-file facts cache; null to disable it. */
  cacheDirectory: string | null;
  /** Baseline file (relative to the project or absolute); defaults to the configured one. */
  baseline?: string;
  updateBaseline?: boolean;
  /** The project's files as a watcher knows them; by default they are listed and stat'ed now. */
  files?: (config: LayeredConfig) => ProjectFiles;
  /** Check in full and rewrite the incremental state, whatever the caches hold (the check server does this while idle). */
  rewriteState?: boolean;
}

/** Loads config, checks the project at `projectRoot` and applies ignores and the baseline. Throws ConfigError. */
export function checkProject(projectRoot: string, options: CheckOptions): CheckResult {
  const config = loadConfig(projectRoot, RULE_IDS);
  const found = options.files ? options.files(config) : findProjectFiles(projectRoot, config);
  const lastRun = LastRun.open(projectRoot, config, found, options.cacheDirectory, options.rewriteState ?? false);
  const checked = lastRun.unchangedResult() ?? checkAndRemember(projectRoot, config, found, lastRun, options.cacheDirectory);
  return { ...applyBaselineFile(projectRoot, config, options, checked.findings), notes: checked.notes, layers: checked.layers, graph: checked.graph, stats: checked.stats };
}

function checkAndRemember(projectRoot: string, config: LayeredConfig, found: ProjectFiles, lastRun: LastRun, cacheDirectory: string | null): ProjectFindings {
  const collected = lastRun.findingsOfChangedFiles() ?? checkInFull(projectRoot, config, found, cacheDirectory, lastRun);
  const result = reportOf(applyIgnores(collected.findings, collected.ignores, config), collected);
  lastRun.saveResult(result);
  return result;
}

/** Every stage over every file; leaves the state incremental runs start from. */
function checkInFull(projectRoot: string, config: LayeredConfig, found: ProjectFiles, cacheDirectory: string | null, lastRun: LastRun): CollectedFindings {
  const read = readFacts(found, FactsCache.open(cacheDirectory, projectRoot));
  const loaded = resolveProject(projectRoot, config, found, read);
  const { project } = loaded;
  assignLayers(project.modules, project.locator, config.package);
  // The state keeps the bindings of the modules whose re-exports the rules followed.
  if (lastRun.keepsState) project.reexportOwners = new Set();
  const run = runRules(project, config);
  const unchecked = loaded.unchecked.map(uncheckedFinding);
  lastRun.saveState({ found, loaded, unchecked, run });
  return {
    findings: [...unchecked, ...run.byRule, ...run.cycles],
    ignores: inlineIgnoresOf(project),
    edges: run.edges,
    notes: loaded.notes,
    layers: layersOf(project),
    stats: { ...loaded.stats, modules: project.modules.length },
  };
}

/** Records findings in the baseline, or keeps only those the baseline does not know. */
function applyBaselineFile(projectRoot: string, config: LayeredConfig, options: CheckOptions, findings: Finding[]): Pick<CheckResult, 'findings' | 'baselined' | 'disappeared' | 'baselineWritten'> {
  const baselineFile = path.resolve(projectRoot, options.baseline ?? config.baseline);
  if (options.updateBaseline) {
    writeBaseline(baselineFile, findings);
    return { findings: [], baselined: findings.length, disappeared: [], baselineWritten: path.relative(projectRoot, baselineFile).split(path.sep).join('/') };
  }
  const baseline = readBaseline(baselineFile);
  if (!baseline) return { findings, baselined: 0, disappeared: [] };
  const outcome = applyBaseline(findings, baseline);
  return { findings: outcome.fresh, baselined: outcome.known, disappeared: outcome.disappeared };
}
