import { describeLayer, importFinding, modulesIn } from './helpers';
import type { RawFinding, Rule } from './types';

export const lay002: Rule = {
  id: 'LAY002',
  title: 'Services do not import each other',
  rationale: 'Services never import each other: each service owns one domain concern.',
  hint: 'Let a controller orchestrate both services, or move the shared piece into a model or a repository.',
  defaultSeverity: 'error',
  check(project) {
    const findings: RawFinding[] = [];
    for (const module of modulesIn(project, 'services')) {
      for (const imp of module.imports) {
        const isAncestor = module.name.startsWith(`${imp.target}.`);
        if (imp.layer === 'services' && imp.target !== module.name && !isAncestor) findings.push(importFinding(module, imp, describeLayer(module.layer)));
      }
    }
    return findings;
  },
};
