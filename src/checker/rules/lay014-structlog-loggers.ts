import type { RawFinding, Rule } from '../types';

export const lay014: Rule = {
  id: 'LAY014',
  title: 'No stdlib logging calls or print in application code',
  rationale: 'Logging: a structlog bound logger per module, always.',
  hint: 'Use `log = structlog.get_logger(module=__name__)` at module level and call log.info/log.warning with key-value pairs.',
  defaultSeverity: 'error',
  check(project) {
    const findings: RawFinding[] = [];
    for (const module of project.modules) {
      if (!module.inPackage) continue;
      for (const reference of module.facts.references) {
        if (reference.name !== 'print' && !reference.name.startsWith('logging.')) continue;
        findings.push({
          path: module.path,
          line: reference.line,
          col: reference.col + 1,
          message: `\`${module.name}\` calls \`${reference.name}\` at line ${reference.line}`,
          key: `${module.name} ${reference.name}`,
        });
      }
    }
    return findings;
  },
};
