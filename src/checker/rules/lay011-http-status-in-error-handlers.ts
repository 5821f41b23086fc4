import type { RawFinding, Rule } from '../types';

export const lay011: Rule = {
  id: 'LAY011',
  title: 'HTTPException and HTTP error statuses appear only in http/error_handlers.py',
  rationale: 'http/error_handlers.py maps AppError to HTTP responses: the only place HTTP status lives.',
  hint: 'Raise a domain error (an AppError subclass from domain/errors.py) and map it to its status in http/error_handlers.py.',
  defaultSeverity: 'error',
  check(project) {
    const findings: RawFinding[] = [];
    for (const module of project.modules) {
      // domain/errors.py has its own rule (LAY012).
      if (!module.inPackage || module.layer === 'error_handlers' || module.layer === 'errors') continue;
      for (const status of module.facts.httpStatuses) {
        if (status.code !== null && status.code < 400) continue;
        findings.push({
          path: module.path,
          line: status.line,
          col: status.col + 1,
          message: `\`${module.name}\` uses \`${status.text}\` at line ${status.line}, outside http/error_handlers.py`,
          key: `${module.name} ${status.text}`,
        });
      }
    }
    return findings;
  },
};
