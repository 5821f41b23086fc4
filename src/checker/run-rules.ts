/** Stage 5, run rules: every enabled rule over the project model, as findings with their severity. */
import type { LayeredConfig } from './config';
import type { UncheckedFile } from './resolve';
import { importFinding } from './rules/helpers';
import { cycleFindings, LayerEdge, layerEdges } from './rules/lay016-no-layer-cycles';
import { META_RULES, RULES } from './rules/registry';
import type { Finding, ProjectModel, RawFinding } from './types';

export interface RuleRun {
  /** Findings of every rule but LAY016, in rule order. */
  byRule: Finding[];
  /** LAY016's findings: cycles are a property of the layer graph, not of one module. */
  cycles: Finding[];
  edges: LayerEdge[];
  /** The finding of the first import behind a layer edge, for the edges LAY016 reported. */
  firstFindings: Map<string, RawFinding>;
}

export function severityOf(config: LayeredConfig, ruleId: string, defaultSeverity: 'error' | 'warning'): 'error' | 'warning' | 'off' {
  return config.severity[ruleId] ?? defaultSeverity;
}

export function runRules(project: ProjectModel, config: LayeredConfig): RuleRun {
  const run: RuleRun = { byRule: [], cycles: [], edges: layerEdges(project), firstFindings: new Map() };
  for (const rule of RULES) {
    const severity = severityOf(config, rule.id, rule.defaultSeverity);
    if (severity === 'off') continue;
    if (rule.id === 'LAY016') {
      for (const raw of cycleFindings(run.edges, (edge) => rememberedFirstFinding(run.firstFindings, edge))) run.cycles.push(toFinding(rule.id, severity, rule.hint, raw));
    } else {
      for (const raw of rule.check(project)) run.byRule.push(toFinding(rule.id, severity, rule.hint, raw));
    }
  }
  return run;
}

function rememberedFirstFinding(firstFindings: Map<string, RawFinding>, edge: LayerEdge): RawFinding {
  const key = `${edge.from}->${edge.to}`;
  const first = firstFindings.get(key) ?? firstImportFinding(edge);
  firstFindings.set(key, first);
  return first;
}

/** The finding LAY016 reports for a layer edge: at its first import. */
export function firstImportFinding(edge: LayerEdge): RawFinding {
  return importFinding(edge.first.module, edge.first.imp, `${edge.from} layer`);
}

export function toFinding(rule: string, severity: 'error' | 'warning', hint: string, raw: RawFinding): Finding {
  const finding: Finding = { rule, severity, path: raw.path, line: raw.line, col: raw.col, message: raw.message, hint: raw.hint ?? hint, key: raw.key };
  if (raw.edge) finding.edge = raw.edge;
  return finding;
}

/** LAY000: a file that could not be read, decoded or tokenized. */
export function uncheckedFinding(file: UncheckedFile): Finding {
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
