import { describeLayer, importFindings, modulesIn } from './helpers';
import { DOMAIN_LAYERS, HTTP_LAYERS } from '../layers';
import type { RawFinding, Rule } from '../types';

const HTTP_FRAMEWORKS = new Set(['fastapi', 'starlette']);

export const lay001: Rule = {
  id: 'LAY001',
  title: 'The domain does not touch HTTP',
  rationale: 'Domain never touches HTTP: models, errors, services, repositories, controllers and the factory import no fastapi/starlette and nothing from http/.',
  hint: 'Move the HTTP concern into http/ (a route, schema or dependency) and pass plain domain values into the domain.',
  defaultSeverity: 'error',
  check(project) {
    const findings: RawFinding[] = [];
    for (const module of modulesIn(project, DOMAIN_LAYERS)) {
      const matched = module.imports.filter((imp) => (imp.external && HTTP_FRAMEWORKS.has(imp.external)) || (imp.layer && HTTP_LAYERS.has(imp.layer)));
      findings.push(...importFindings(module, matched, describeLayer(module.layer)));
    }
    return findings;
  },
};
