import { importFinding } from './helpers';
import { againstLayerOrder } from '../layers';
import type { ModuleInfo, ProjectModel, RawFinding, ResolvedImport, Rule } from '../types';

export interface LayerEdge {
  from: string;
  to: string;
  /** Number of imports behind the edge. */
  imports: number;
  /** The first import (by path, then line) that creates the edge. */
  first: { module: ModuleInfo; imp: ResolvedImport };
}

/**
 * Whether an import makes a layer edge: a runtime import into another layer. Imports under
 * `if TYPE_CHECKING:` never run, so they cannot close an import cycle (they are how one is broken).
 */
export function isLayerEdge(module: ModuleInfo, imp: ResolvedImport): boolean {
  return imp.layer !== null && imp.layer !== module.layer && !imp.statement.typeChecking;
}

/** Layer -> layer dependencies of the app package, with the import that creates each. */
export function layerEdges(project: ProjectModel): LayerEdge[] {
  const edges = new Map<string, LayerEdge>();
  for (const module of project.modules) {
    if (!module.inPackage || module.layer === null) continue;
    for (const imp of module.imports) {
      if (!isLayerEdge(module, imp)) continue;
      const key = `${module.layer}->${imp.layer}`;
      const edge = edges.get(key);
      if (edge) edge.imports++;
      else edges.set(key, { from: module.layer, to: imp.layer as string, imports: 1, first: { module, imp } });
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

/** The shortest path of layers from `from` to `to` over the given edges (sorted, so it is stable). */
function shortestPath(edges: { from: string; to: string }[], from: string, to: string): string[] {
  const next = new Map<string, string[]>();
  for (const edge of edges) next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to].sort());
  const previous = new Map<string, string>([[from, from]]);
  const queue = [from];
  while (queue.length > 0) {
    const node = queue.shift() as string;
    if (node === to) break;
    for (const target of next.get(node) ?? []) {
      if (previous.has(target)) continue;
      previous.set(target, node);
      queue.push(target);
    }
  }
  const path = [to];
  while (path[0] !== from) path.unshift(previous.get(path[0]) as string);
  return path;
}

/**
 * LAY016 findings: in each cycle, the links that go up the layer order (the imports to cut), or
 * every link when all its layers are siblings. `first` gives the finding of an edge's first import.
 */
export function cycleFindings<E extends { from: string; to: string; imports: number }>(edges: E[], first: (edge: E) => RawFinding): RawFinding[] {
  const findings: RawFinding[] = [];
  for (const group of layerCycles(edges)) {
    const members = new Set(group);
    const inside = edges.filter((edge) => members.has(edge.from) && members.has(edge.to));
    const upward = inside.filter((edge) => againstLayerOrder(edge.from, edge.to));
    for (const edge of upward.length > 0 ? upward : inside) {
      const finding = { ...first(edge) };
      const cycle = [edge.from, ...shortestPath(inside, edge.to, edge.from)].join(' -> ');
      finding.message += upward.length > 0 ? `, against the layer order (${edge.to} is above ${edge.from}); it closes the cycle ${cycle}` : `; it closes the cycle ${cycle} between sibling layers`;
      if (edge.imports > 1) finding.message += ` (${edge.imports - 1} more import${edge.imports > 2 ? 's' : ''} from ${edge.from} into ${edge.to} must go too)`;
      finding.key = `${edge.from} -> ${edge.to}`;
      findings.push(finding);
    }
  }
  return findings;
}
