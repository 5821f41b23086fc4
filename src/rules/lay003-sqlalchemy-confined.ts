import { describeLayer, importFinding } from './helpers';
import type { LayerName } from './layers';
import type { RawFinding, Rule } from './types';

// Controllers and routes have their own, more specific rules (LAY006, LAY007).
const ALLOWED: ReadonlySet<LayerName | null> = new Set<LayerName | null>(['repositories', 'factory', 'dependencies', 'controllers', 'routes']);

export const lay003: Rule = {
  id: 'LAY003',
  title: 'Only repositories, the factory and http/dependencies.py import sqlalchemy',
  rationale: 'Repositories own ORM types: SQLAlchemy stays in repositories, the factory (engine, sessions) and http/dependencies.py (the request session).',
  hint: 'Move the query into a repository method that returns domain models, and depend on the repository Protocol instead.',
  defaultSeverity: 'error',
  check(project) {
    const findings: RawFinding[] = [];
    for (const module of project.modules) {
      if (!module.inPackage || ALLOWED.has(module.layer)) continue;
      for (const imp of module.imports) {
        if (imp.external === 'sqlalchemy') findings.push(importFinding(module, imp, describeLayer(module.layer)));
      }
    }
    return findings;
  },
};
