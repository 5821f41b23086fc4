/** Runs every rule over a project and turns raw findings into the final, sorted list. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { applyBaseline, BaselineEntry, readBaseline, writeBaseline } from './baseline';
import { ConfigIgnore, LayeredConfig, loadConfig } from './config';
import { pathGlobToRegExp } from './layers';
import { layerEdges } from './lay016-no-layer-cycles';
import { findProjectFiles, filesSignature, LoadedProject, loadProject, ProjectFiles } from './project';
import { layeredVersion, ResultCache } from './cache';
import { FACTS_VERSION } from './facts';
import { META_RULES, RULE_IDS, RULES } from './registry';
import type { Finding, ModuleInfo, ProjectModel, RawFinding } from './types';

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
  const found = findProjectFiles(projectRoot, config);
  const signature = createHash('sha1')
    .update(`${layeredVersion()}\u0000${FACTS_VERSION}\u0000${readFileSync(path.join(projectRoot, 'pyproject.toml'), 'utf-8')}\u0000${filesSignature(found)}`)
    .digest('hex');
  const results = ResultCache.open<ProjectFindings>(options.cacheDirectory, projectRoot);
  let checked = results.read(signature);
  if (checked === undefined) {
    checked = findingsOf(projectRoot, config, found, options.cacheDirectory);
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

/** Everything a check finds before the baseline is applied: what the result cache stores. */
interface ProjectFindings {
  findings: Finding[];
  notes: string[];
  layers: string[];
  graph: GraphEdge[];
  stats: CheckResult['stats'];
}

function findingsOf(projectRoot: string, config: LayeredConfig, found: ProjectFiles, cacheDirectory: string | null): ProjectFindings {
  const loaded = loadProject(projectRoot, config, { cacheDirectory, found });
  const all = [...uncheckedFindings(loaded), ...ruleFindings(loaded.project, config)];
  const findings = applyIgnores(all, loaded.project, config).sort(compareFindings);
  const violations = new Map<string, Set<string>>();
  for (const finding of findings) {
    if (!finding.edge) continue;
    const key = `${finding.edge.from}->${finding.edge.to}`;
    violations.set(key, (violations.get(key) ?? new Set()).add(finding.rule));
  }
  return {
    findings,
    notes: loaded.notes,
    layers: [...new Set(loaded.project.modules.filter((m) => m.inPackage && m.layer).map((m) => m.layer as string))].sort(),
    graph: layerEdges(loaded.project).map((edge) => ({
      from: edge.from,
      to: edge.to,
      imports: edge.imports,
      violations: [...(violations.get(`${edge.from}->${edge.to}`) ?? [])].sort(),
    })),
    stats: { ...loaded.stats, modules: loaded.project.modules.length },
  };
}

function uncheckedFindings(loaded: LoadedProject): Finding[] {
  return loaded.unchecked.map((file) => ({
    rule: META_RULES.unchecked.id,
    severity: 'error',
    path: file.path,
    line: file.line,
    col: file.col,
    message: `\`${file.path}\` ${file.problem.startsWith('syntax error') ? `has a ${file.problem}` : file.problem} at line ${file.line}; its imports may be incomplete`,
    hint: META_RULES.unchecked.hint,
    key: file.problem,
  }));
}

function ruleFindings(project: ProjectModel, config: LayeredConfig): Finding[] {
  const findings: Finding[] = [];
  for (const rule of RULES) {
    const severity = config.severity[rule.id] ?? rule.defaultSeverity;
    if (severity === 'off') continue;
    for (const raw of rule.check(project)) findings.push(toFinding(rule.id, severity, rule.hint, raw));
  }
  return findings;
}

function toFinding(rule: string, severity: 'error' | 'warning', hint: string, raw: RawFinding): Finding {
  const finding: Finding = { rule, severity, path: raw.path, line: raw.line, col: raw.col, message: raw.message, hint: raw.hint ?? hint, key: raw.key };
  if (raw.edge) finding.edge = raw.edge;
  return finding;
}

/** Drops findings covered by config or inline ignores; adds findings for ignores without reason or match. */
function applyIgnores(findings: Finding[], project: ProjectModel, config: LayeredConfig): Finding[] {
  const modulesByPath = new Map<string, ModuleInfo>(project.modules.map((module) => [module.path, module]));
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
    const module = modulesByPath.get(finding.path);
    for (const inline of module?.facts.ignores ?? []) {
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
  for (const module of project.modules) {
    for (const inline of module.facts.ignores) {
      const where = { path: module.path, line: inline.line, col: inline.col + 1 };
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
        if (inlineUsed.has(`${module.path}:${inline.line}:${rule}`)) continue;
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
