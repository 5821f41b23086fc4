import { describeLayer } from './helpers';
import { againstLayerOrder } from '../layers';
import type { ModuleInfo, ProjectModel, RawFinding, ResolvedImport, Rule } from '../types';

interface Step {
  module: ModuleInfo;
  /** The import that reached this module, and the step it came from. */
  via: { imp: ResolvedImport; from: Step } | null;
}

function runtimeImports(project: ProjectModel, module: ModuleInfo): { imp: ResolvedImport; target: ModuleInfo }[] {
  const out: { imp: ResolvedImport; target: ModuleInfo }[] = [];
  for (const imp of module.imports) {
    if (!imp.internal || imp.statement.typeChecking) continue;
    const target = project.byName.get(imp.target);
    if (target && target !== module) out.push({ imp, target });
  }
  return out;
}

/**
 * The shortest chains from a layered module, through modules in no layer (helpers), to a module of
 * a higher layer: one per higher layer reached. A chain through a layered module is not followed:
 * one of its links is a direct violation, reported by its own rule.
 */
function chainsFrom(project: ProjectModel, start: ModuleInfo): Step[] {
  const found = new Map<string, Step>();
  const seen = new Set<string>([start.name]);
  let frontier: Step[] = [{ module: start, via: null }];
  while (frontier.length > 0) {
    const next: Step[] = [];
    for (const step of frontier) {
      for (const { imp, target } of runtimeImports(project, step.module)) {
        if (seen.has(target.name)) continue;
        seen.add(target.name);
        const reached: Step = { module: target, via: { imp, from: step } };
        if (target.layer === null) next.push(reached);
        else if (step.via !== null && againstLayerOrder(start.layer as string, target.layer) && !found.has(target.layer)) found.set(target.layer, reached);
      }
    }
    frontier = next;
  }
  return [...found.values()];
}

export const lay017: Rule = {
  id: 'LAY017',
  title: 'No indirect imports against the layer order (chains, with chains = true)',
  rationale: 'Layering itself: a lower layer must not reach a higher one through helper modules either.',
  hint: 'Cut a link of the chain: move what the lower layer needs out of the helper, or stop the helper importing the higher layer.',
  defaultSeverity: 'error',
  check(project) {
    const findings: RawFinding[] = [];
    if (!project.config.chains) return findings;
    for (const module of project.modules) {
      if (!module.inPackage || module.layer === null) continue;
      for (const end of chainsFrom(project, module)) {
        const names: string[] = [];
        let first: ResolvedImport | null = null;
        for (let step: Step | null = end; step; step = step.via?.from ?? null) {
          names.unshift(step.module.name);
          if (step.via && step.via.from.module === module) first = step.via.imp;
        }
        const imp = first as ResolvedImport;
        findings.push({
          path: module.path,
          line: imp.line,
          col: imp.col,
          message: `\`${module.name}\` (${describeLayer(module.layer)}) reaches the ${end.module.layer} layer, which is above it, through the import at line ${imp.line}: ${names.map((name) => `\`${name}\``).join(' -> ')}`,
          key: `${names.join(' -> ')}`,
        });
      }
    }
    return findings;
  },
};
