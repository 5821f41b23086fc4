import { importFindings, modulesIn } from './helpers';
import type { RawFinding, Rule } from '../types';

const HTTP_MODULES = new Set(['http', 'fastapi', 'starlette']);

export const lay012: Rule = {
  id: 'LAY012',
  title: 'domain/errors.py carries no HTTP codes',
  rationale: 'domain/errors.py holds the AppError hierarchy: domain errors only, no HTTP codes.',
  hint: 'Give the error a stable `code` string; its HTTP status belongs in http/error_handlers.py.',
  defaultSeverity: 'error',
  check(project) {
    const findings: RawFinding[] = [];
    for (const module of modulesIn(project, 'errors')) {
      for (const status of module.facts.httpStatuses) {
        findings.push({
          path: module.path,
          line: status.line,
          col: status.col + 1,
          message: `\`${module.name}\` (domain errors) holds the HTTP status \`${status.text}\` at line ${status.line}`,
          key: `${module.name} ${status.text}`,
        });
      }
      findings.push(...importFindings(module, module.imports.filter((imp) => imp.external && HTTP_MODULES.has(imp.external)), 'domain errors'));
    }
    return findings;
  },
};
