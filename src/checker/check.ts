/** Runs every rule over a project and turns raw findings into the final, sorted list. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { applyBaseline, BaselineEntry, readBaseline, writeBaseline } from './baseline';
import { ConfigIgnore, LayeredConfig, loadConfig } from './config';
import { pathGlobToRegExp } from './layers';
import { cycleFindings, layerEdges } from './rules/lay016-no-layer-cycles';
import { findProjectFiles, filesSignature, LoadedProject, loadProject, ProjectFiles, UncheckedFile } from './discover';
import { Assembly, incrementalFindings, ProjectFindings, stateBase, writeFullState } from './incremental/stored-state';
import type { InlineIgnore } from './scan/facts';
import { importFinding } from './rules/helpers';
import { layeredVersion } from './version';
import { ResultCache } from './incremental/result-cache';
import { FACTS_VERSION } from './scan/facts';
import { META_RULES, RULE_IDS, RULES } from './rules/registry';
import type { Finding, RawFinding } from './types';

export interface GraphEdge {
  from: string;
  to: string;
  imports: number;
  /** Rules with findings on this edge (LAY016 for cycles, LAY001 and friends for forbidden edges). */
  violations: string[];
}

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
  stats: LoadedProject['stats'] & { modules: number };
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

// Code-unit order, not localeCompare: reports must sort the same on every machine.
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareFindings(a: Finding, b: Finding): number {
  return compareText(a.path, b.path) || a.line - b.line || a.col - b.col || compareText(a.rule, b.rule) || compareText(a.message, b.message);
}

/** Loads config, checks the project at `projectRoot` and applies ignores and the baseline. Throws ConfigError. */
export function checkProject(projectRoot: string, options: CheckOptions): CheckResult {
  const config = loadConfig(projectRoot, RULE_IDS);
  const found = options.files ? options.files(config) : findProjectFiles(projectRoot, config);
  const pyproject = readFileSync(path.join(projectRoot, 'pyproject.toml'), 'utf-8');
  const digests = filesSignature(found);
  const signature = createHash('sha1').update(`${layeredVersion()}\u0000${FACTS_VERSION}\u0000${pyproject}\u0000${digests.stats}`).digest('hex');
  const results = ResultCache.open<ProjectFindings>(options.cacheDirectory, projectRoot);
  let checked = options.rewriteState ? undefined : results.read(signature);
  if (checked === undefined) {
    const base = options.cacheDirectory === null ? '' : stateBase(pyproject, config, found, digests.paths);
    checked =
      (options.cacheDirectory === null || options.rewriteState ? undefined : incrementalFindings(projectRoot, config, found, options.cacheDirectory, base, assemblyFor(config))) ??
      findingsOf(projectRoot, config, found, options.cacheDirectory, base);
    results.write(signature, checked);
  } else {
    checked.stats = { ...checked.stats, scanned: 0, fromCache: checked.stats.files };
  }
  const result: CheckResult = { ...applyBaselineFile(projectRoot, config, options, checked.findings), notes: checked.notes, layers: checked.layers, graph: checked.graph, stats: checked.stats };
  return result;
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

function severityOf(config: LayeredConfig, ruleId: string, defaultSeverity: 'error' | 'warning'): 'error' | 'warning' | 'off' {
  return config.severity[ruleId] ?? defaultSeverity;
}

/** Turns all raw findings (unchecked files, then rule by rule) into the sorted result with its layer graph. */
function finish(config: LayeredConfig, all: Finding[], ignores: Map<string, InlineIgnore[]>, edges: { from: string; to: string; imports: number }[], rest: Omit<ProjectFindings, 'findings' | 'graph'>): ProjectFindings {
  const findings = applyIgnores(all, ignores, config).sort(compareFindings);
  const violations = new Map<string, Set<string>>();
  for (const finding of findings) {
    if (!finding.edge) continue;
    const key = `${finding.edge.from}->${finding.edge.to}`;
    violations.set(key, (violations.get(key) ?? new Set()).add(finding.rule));
  }
  return {
    findings,
    notes: rest.notes,
    layers: rest.layers,
    graph: edges.map((edge) => ({
      from: edge.from,
      to: edge.to,
      imports: edge.imports,
      violations: [...(violations.get(`${edge.from}->${edge.to}`) ?? [])].sort(),
    })),
    stats: rest.stats,
  };
}

function assemblyFor(config: LayeredConfig): Assembly {
  return {
    toFinding,
    finish: (all, ignores, edges, rest) => finish(config, all, ignores, edges, rest),
    uncheckedFinding,
    severity: (ruleId, defaultSeverity) => severityOf(config, ruleId, defaultSeverity),
  };
}

function findingsOf(projectRoot: string, config: LayeredConfig, found: ProjectFiles, cacheDirectory: string | null, base: string): ProjectFindings {
  const loaded = loadProject(projectRoot, config, { cacheDirectory, found });
  const { project } = loaded;
  if (cacheDirectory !== null) project.reexportOwners = new Set();
  const unchecked = loaded.unchecked.map(uncheckedFinding);
  const edges = layerEdges(project);
  const firstFindings = new Map<string, RawFinding>();
  const byRule: Finding[] = [];
  const cycles: Finding[] = [];
  for (const rule of RULES) {
    const severity = severityOf(config, rule.id, rule.defaultSeverity);
    if (severity === 'off') continue;
    const raws =
      rule.id === 'LAY016'
        ? cycleFindings(edges, (edge) => {
            const key = `${edge.from}->${edge.to}`;
            const first = firstFindings.get(key) ?? importFinding(edge.first.module, edge.first.imp, `${edge.from} layer`);
            firstFindings.set(key, first);
            return first;
          })
        : rule.check(project);
    for (const raw of raws) (rule.id === 'LAY016' ? cycles : byRule).push(toFinding(rule.id, severity, rule.hint, raw));
  }
  const ignores = new Map<string, InlineIgnore[]>();
  for (const module of project.modules) if (module.facts.ignores.length > 0) ignores.set(module.path, module.facts.ignores);
  const layers = [...new Set(project.modules.filter((m) => m.inPackage && m.layer).map((m) => m.layer as string))].sort();
  const result = finish(config, [...unchecked, ...byRule, ...cycles], ignores, edges, { notes: loaded.notes, layers, stats: { ...loaded.stats, modules: project.modules.length } });
  if (cacheDirectory !== null) {
    for (const edge of edges) {
      const key = `${edge.from}->${edge.to}`;
      if (!firstFindings.has(key)) firstFindings.set(key, importFinding(edge.first.module, edge.first.imp, `${edge.from} layer`));
    }
    writeFullState(cacheDirectory, loaded, found, base, unchecked, byRule, edges, firstFindings);
  }
  return result;
}

function uncheckedFinding(file: UncheckedFile): Finding {
  return {
    rule: META_RULES.unchecked.id,
    severity: 'error',
    path: file.path,
    line: file.line,
    col: file.col,
    message: `\`${file.path}\` ${file.problem.startsWith('syntax error') ? `has a ${file.problem}` : file.problem} at line ${file.line}; its imports may be incomplete`,
    hint: META_RULES.unchecked.hint,
    key: file.problem,
  };
}

function toFinding(rule: string, severity: 'error' | 'warning', hint: string, raw: RawFinding): Finding {
  const finding: Finding = { rule, severity, path: raw.path, line: raw.line, col: raw.col, message: raw.message, hint: raw.hint ?? hint, key: raw.key };
  if (raw.edge) finding.edge = raw.edge;
  return finding;
}

/** Drops findings covered by config or inline ignores; adds findings for ignores without reason or match. */
function applyIgnores(findings: Finding[], ignores: Map<string, InlineIgnore[]>, config: LayeredConfig): Finding[] {
  const configMatchers = config.ignores.map((ignore) => ({ ignore, pattern: pathGlobToRegExp(ignore.path), used: false }));
  const inlineUsed = new Set<string>();
  const kept: Finding[] = [];
  for (const finding of findings) {
    let suppressed = false;
    for (const matcher of configMatchers) {
      if (matcher.ignore.rules.includes(finding.rule) && matcher.pattern.test(finding.path)) {
        matcher.used = true;
        suppressed = true;
      }
    }
    for (const inline of ignores.get(finding.path) ?? []) {
      if (!inline.rules.includes(finding.rule) || (inline.line !== finding.line && inline.statementLine !== finding.line)) continue;
      if (inline.reason === '') continue; // reported below; a reasonless ignore does not count
      inlineUsed.add(`${finding.path}:${inline.line}:${finding.rule}`);
      suppressed = true;
    }
    if (!suppressed) kept.push(finding);
  }
  const enabled = new Set(RULES.filter((rule) => (config.severity[rule.id] ?? rule.defaultSeverity) !== 'off').map((rule) => rule.id));
  enabled.add(META_RULES.unchecked.id);
  for (const matcher of configMatchers) {
    if (matcher.used || !matcher.ignore.rules.some((rule) => enabled.has(rule))) continue;
    kept.push(unusedConfigIgnore(matcher.ignore));
  }
  for (const [modulePath, inlines] of ignores) {
    for (const inline of inlines) {
      const where = { path: modulePath, line: inline.line, col: inline.col + 1 };
      if (inline.reason === '') {
        kept.push({
          rule: META_RULES.ignoreWithoutReason.id,
          severity: 'error',
          ...where,
          message: `\`# layered: ignore[${inline.rules.join(', ')}]\` at line ${inline.line} gives no reason`,
          hint: META_RULES.ignoreWithoutReason.hint,
          key: `ignore[${inline.rules.join(',')}] without reason`,
        });
        continue;
      }
      for (const rule of inline.rules) {
        if (!enabled.has(rule) && RULE_IDS.includes(rule)) continue;
        if (inlineUsed.has(`${modulePath}:${inline.line}:${rule}`)) continue;
        kept.push({
          rule: META_RULES.unusedIgnore.id,
          severity: 'error',
          ...where,
          message: RULE_IDS.includes(rule) || rule === META_RULES.unchecked.id
            ? `\`# layered: ignore[${rule}]\` at line ${inline.line} matches no ${rule} finding`
            : `\`# layered: ignore[${rule}]\` at line ${inline.line} names an unknown rule`,
          hint: META_RULES.unusedIgnore.hint,
          key: `ignore[${rule}] unused`,
        });
      }
    }
  }
  return kept;
}

function unusedConfigIgnore(ignore: ConfigIgnore): Finding {
  return {
    rule: META_RULES.unusedIgnore.id,
    severity: 'error',
    path: 'pyproject.toml',
    line: ignore.line,
    col: 1,
    message: `tool.layered.ignore[${ignore.index}] (${ignore.rules.join(', ')} in "${ignore.path}") matches no finding`,
    hint: META_RULES.unusedIgnore.hint,
    key: `ignore ${ignore.rules.join(',')} ${ignore.path} unused`,
  };
}
