/** Stage 7, report: the findings sorted, with the layer graph; `src/reporters` renders this as text, JSON, SARIF and more. */
import type { InlineIgnore } from './scan/facts';
import type { FilesRead } from './scan/read-facts';
import type { Finding } from './types';

export interface GraphEdge {
  from: string;
  to: string;
  imports: number;
  /** Rules with findings on this edge (LAY016 for cycles, LAY001 and friends for forbidden edges). */
  violations: string[];
}

/** What a check found, before ignores: from a full check or from the state of the last run. */
export interface CollectedFindings {
  /** Unchecked files, then rule by rule, as a full check produces them. */
  findings: Finding[];
  ignores: Map<string, InlineIgnore[]>;
  edges: { from: string; to: string; imports: number }[];
  notes: string[];
  layers: string[];
  stats: ProjectFindings['stats'];
}

/** The project's findings after ignores, before the baseline; what the result cache keeps. */
export interface ProjectFindings {
  findings: Finding[];
  notes: string[];
  layers: string[];
  graph: GraphEdge[];
  stats: FilesRead['stats'] & { modules: number };
}

// Code-unit order, not localeCompare: reports must sort the same on every machine.
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareFindings(a: Finding, b: Finding): number {
  return compareText(a.path, b.path) || a.line - b.line || a.col - b.col || compareText(a.rule, b.rule) || compareText(a.message, b.message);
}

/** `kept`: the findings that survived the ignores. */
export function reportOf(kept: Finding[], collected: CollectedFindings): ProjectFindings {
  const findings = kept.sort(compareFindings);
  const violations = new Map<string, Set<string>>();
  for (const finding of findings) {
    if (!finding.edge) continue;
    const key = `${finding.edge.from}->${finding.edge.to}`;
    violations.set(key, (violations.get(key) ?? new Set()).add(finding.rule));
  }
  return {
    findings,
    notes: collected.notes,
    layers: collected.layers,
    graph: collected.edges.map((edge) => ({
      from: edge.from,
      to: edge.to,
      imports: edge.imports,
      violations: [...(violations.get(`${edge.from}->${edge.to}`) ?? [])].sort(),
    })),
    stats: collected.stats,
  };
}
