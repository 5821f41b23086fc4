import { describeLayer, importFindings, modulesIn } from './helpers';
import type { LayerLocator } from '../layers';
import type { RawFinding, ResolvedImport, Rule } from '../types';

/**
 * The service a module belongs to. As packages: the child of the services root (the outermost
 * package in the services layer) that holds the module, or the module's own package when the
 * module is itself the root (`dispatch.incident.service` -> `dispatch.incident`).
 */
export function serviceOf(name: string, locator: LayerLocator, unit: 'module' | 'package'): string {
  if (unit === 'module') return name;
  const parts = name.split('.');
  let root = parts.length;
  for (let n = 1; n < parts.length; n++) {
    if (locator.layerOf(parts.slice(0, n).join('.')) === 'services') {
      root = n;
      break;
    }
  }
  return root === parts.length ? parts.slice(0, -1).join('.') : parts.slice(0, root + 1).join('.');
}

export const lay002: Rule = {
  id: 'LAY002',
  title: 'Services do not import each other',
  rationale: 'Services never import each other: each service owns one domain concern.',
  hint: 'Let a controller orchestrate both services, or move the shared piece into a model or a repository.',
  defaultSeverity: 'error',
  check(project) {
    const findings: RawFinding[] = [];
    const unit = project.config.services;
    for (const module of modulesIn(project, 'services')) {
      const own = serviceOf(module.name, project.locator, unit);
      const others = new Map<ResolvedImport, string>();
      for (const imp of module.imports) {
        if (imp.layer !== 'services' || imp.target === module.name || module.name.startsWith(`${imp.target}.`)) continue;
        const other = serviceOf(imp.target, project.locator, unit);
        if (other !== own) others.set(imp, other); // imports within one service never count
      }
      const otherServices = (group: ResolvedImport[]): string => {
        const services = [...new Set(group.map((imp) => others.get(imp) as string))].map((service) => `\`${service}\``);
        return `, ${services.length > 1 ? 'modules of other services' : 'a module of another service'} (${services.join(', ')})`;
      };
      findings.push(...importFindings(module, [...others.keys()], describeLayer(module.layer), otherServices));
    }
    return findings;
  },
};
