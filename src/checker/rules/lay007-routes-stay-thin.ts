import { describeLayer, importFindings, importsOrm, modulesIn } from './helpers';
import type { RawFinding, Rule } from '../types';

export const lay007: Rule = {
  id: 'LAY007',
  title: 'Routes import no services, repositories or ORM library',
  rationale: 'Route handler: parse the request, call the factory, return the response; no service calls, no DB access.',
  hint: 'Get a controller from the request factory (the Factory dependency) and call it; map its result to a schema.',
  defaultSeverity: 'error',
  check(project) {
    const findings: RawFinding[] = [];
    for (const module of modulesIn(project, 'routes')) {
      // A type-only import calls nothing: the route still gets its objects from the factory.
      const matched = module.imports.filter((imp) => !imp.statement.typeChecking && (imp.layer === 'services' || imp.layer === 'repositories' || importsOrm(project, imp)));
      findings.push(...importFindings(module, matched, describeLayer(module.layer)));
    }
    return findings;
  },
};
