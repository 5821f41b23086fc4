import type { RawFinding, Rule } from '../types';

export const lay013: Rule = {
  id: 'LAY013',
  title: 'os.environ and os.getenv only in config.py',
  rationale: 'AppConfig is read from env/secrets at startup and passed everywhere.',
  hint: 'Add the setting to AppConfig in config.py (read once at startup) and pass the config to where it is needed.',
  defaultSeverity: 'error',
  check(project) {
    const findings: RawFinding[] = [];
    for (const module of project.modules) {
      if (!module.inPackage || module.layer === 'config') continue;
      for (const reference of module.facts.references) {
        if (!reference.name.startsWith('os.')) continue;
        findings.push({
          path: module.path,
          line: reference.line,
          col: reference.col + 1,
          message: `\`${module.name}\` reads \`${reference.name}\` at line ${reference.line}, outside config.py`,
          key: `${module.name} ${reference.name}`,
        });
      }
    }
    return findings;
  },
};
