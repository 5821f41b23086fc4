import { importFinding } from './helpers';
import type { ModuleInfo, ProjectModel, RawFinding, ResolvedImport, Rule } from './types';

export interface LayerEdge {
  from: string;
  to: string;
  /** Number of imports behind the edge. */
  imports: number;
  /** The first import (by path, then line) that creates the edge. */
  first: { module: ModuleInfo; imp: ResolvedImport };
}

/** Layer -> layer dependencies of the app package, with the import that creates each. */
export function layerEdges(project: ProjectModel): LayerEdge[] {
  const edges = new Map<string, LayerEdge>();
  for (const module of project.modules) {
    if (!module.inPackage || module.layer === null) continue;
    for (const imp of module.imports) {
      if (imp.layer === null || imp.layer === module.layer) continue;
      const key = `${module.layer}->${imp.layer}`;
      const edge = edges.get(key);
      if (edge) edge.imports++;
      else edges.set(key, { from: module.layer, to: imp.layer, imports: 1, first: { module, imp } });
    }
  }
  return [...edges.values()].sort((a, b) => (a.from === b.from ? (a.to < b.to ? -1 : 1) : a.from < b.from ? -1 : 1));
}

/** Strongly connected groups of two or more layers (Tarjan), each sorted. */
export function layerCycles(edges: { from: string; to: string }[]): string[][] {
  const next = new Map<string, string[]>();
  for (const edge of edges) next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  let counter = 0;
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const target of next.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node) as number, low.get(target) as number));
      } else if (onStack.has(target)) low.set(node, Math.min(low.get(node) as number, index.get(target) as number));
    }
    if (low.get(node) === index.get(node)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        group.push(member);
      } while (member !== node);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const node of [...next.keys()].sort()) if (!index.has(node)) visit(node);
  return groups.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

export const lay016: Rule = {
  id: 'LAY016',
  title: 'No import cycles between layers',
  rationale: 'Layering itself: dependencies point one way, from HTTP through controllers and services to repositories and models.',
  hint: 'Remove the import against the layer order, or move the shared piece down into models, errors or a Protocol in domain/.',
  defaultSeverity: 'error',
  check(project) {
    return cycleFindings(layerEdges(project), (edge) => importFinding(edge.first.module, edge.first.imp, `${edge.from} layer`));
  },
};

/** LAY016 findings for layer edges; `first` gives the finding of the first import behind an edge. */
export function cycleFindings<E extends { from: string; to: string }>(edges: E[], first: (edge: E) => RawFinding): RawFinding[] {
  const findings: RawFinding[] = [];
  for (const group of layerCycles(edges)) {
    const members = new Set(group);
    for (const edge of edges) {
      if (!members.has(edge.from) || !members.has(edge.to)) continue;
      const finding = { ...first(edge) };
      finding.message += `; layers ${group.join(', ')} import each other`;
      finding.key = `${edge.from} -> ${edge.to}`;
      findings.push(finding);
    }
  }
  return findings;
}
