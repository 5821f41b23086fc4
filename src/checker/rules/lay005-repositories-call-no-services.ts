import { describeLayer, importFindings, modulesIn } from './helpers';
import type { RawFinding, Rule } from '../types';

export const lay005: Rule = {
  id: 'LAY005',
  title: 'Repositories import no services or controllers',
  rationale: 'A repository cannot call services: it only maps between the database and domain models.',
  hint: 'Keep the repository to queries and mapping; let the service or controller that calls it do the rest.',
  defaultSeverity: 'error',
  check(project) {
    const findings: RawFinding[] = [];
    for (const module of modulesIn(project, 'repositories')) {
      const matched = module.imports.filter((imp) => imp.layer === 'services' || imp.layer === 'controllers');
      findings.push(...importFindings(module, matched, describeLayer(module.layer)));
    }
    return findings;
  },
};
