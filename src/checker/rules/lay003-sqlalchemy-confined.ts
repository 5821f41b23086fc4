import { describeLayer, importFindings, importsOrm } from './helpers';
import type { LayerName } from '../layers';
import type { RawFinding, ResolvedImport, Rule } from '../types';

// Controllers and routes have their own, more specific rules (LAY006, LAY007).
const ALLOWED: ReadonlySet<LayerName | null> = new Set<LayerName | null>(['repositories', 'factory', 'dependencies', 'controllers', 'routes']);

export const lay003: Rule = {
  id: 'LAY003',
  title: 'Only repositories, the factory and http/dependencies.py import the ORM library',
  rationale: 'Repositories own ORM types: the ORM library (SQLAlchemy, SQLModel) stays in repositories, the factory (engine, sessions) and http/dependencies.py (the request session).',
  hint: 'Move the query into a repository method that returns domain models, and depend on the repository Protocol instead.',
  defaultSeverity: 'error',
  check(project) {
    const findings: RawFinding[] = [];
    for (const module of project.modules) {
      if (!module.inPackage || ALLOWED.has(module.layer)) continue;
      const matched: ResolvedImport[] = [];
      for (const imp of module.imports) {
        if (!importsOrm(project, imp)) continue;
        // A library that is both ORM and model base (sqlmodel) is how models are declared at all.
        if (module.layer === 'models' && project.config.modelLibraries.includes(imp.external as string)) continue;
        matched.push(imp);
      }
      findings.push(...importFindings(module, matched, describeLayer(module.layer)));
    }
    return findings;
  },
};
