import { describeLayer, importFindings, importsOrm, modulesIn } from './helpers';
import type { RawFinding, Rule } from '../types';

export const lay006: Rule = {
  id: 'LAY006',
  title: 'Controllers import no repositories and no ORM library',
  rationale: 'Controller: no DB access. It orchestrates services; the unit-of-work Protocol is its only handle on transactions.',
  hint: 'Call a service (through its Protocol) that uses the repository, and commit through the unit of work.',
  defaultSeverity: 'error',
  check(project) {
    const findings: RawFinding[] = [];
    for (const module of modulesIn(project, 'controllers')) {
      // A type-only import (an AsyncSession annotation for a branch's own session) accesses nothing.
      const matched = module.imports.filter((imp) => !imp.statement.typeChecking && (imp.layer === 'repositories' || importsOrm(project, imp)));
      findings.push(...importFindings(module, matched, describeLayer(module.layer)));
    }
    return findings;
  },
};
