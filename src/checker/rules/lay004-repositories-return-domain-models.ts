import { classesWithRoots, classIndex, fromLibrary, modulesIn, resolveClass, TABLE_KEYWORD } from './helpers';
import type { RawFinding, Rule } from '../types';

export const lay004: Rule = {
  id: 'LAY004',
  title: 'Public repository methods do not return ORM types',
  rationale: 'Deserialise to domain models immediately: a repository maps rows to domain models before returning.',
  hint: 'Map the row to a domain model (domain/models/) inside the repository and return that instead.',
  defaultSeverity: 'error',
  check(project) {
    const findings: RawFinding[] = [];
    const repositories = modulesIn(project, 'repositories');
    if (repositories.length === 0) return findings;
    const classes = classIndex(project);
    const isOrm = (qualified: string): boolean => fromLibrary(qualified, project.config.ormLibraries);
    // A class of a library that is also a model library (sqlmodel) is an ORM type only as a table.
    const isOrmRoot = (root: string, roots: string[]): boolean => isOrm(root) && (!fromLibrary(root, project.config.modelLibraries) || roots.includes(TABLE_KEYWORD));
    const ormClasses = classesWithRoots(project, (roots) => roots.some((root) => isOrmRoot(root, roots)));
    for (const module of repositories) {
      for (const fn of module.facts.functions) {
        if (fn.className === null || fn.name.startsWith('_')) continue;
        for (const name of fn.returns) {
          const qualified = resolveClass(project, module, name, classes);
          if (!isOrm(qualified) && !ormClasses.has(qualified)) continue;
          findings.push({
            path: module.path,
            line: fn.line,
            col: fn.col + 1,
            message: `\`${fn.className}.${fn.name}\` in \`${module.name}\` returns the ORM type \`${qualified}\` (line ${fn.line})`,
            key: `${module.name}.${fn.className}.${fn.name} -> ${qualified}`,
          });
          break;
        }
      }
    }
    return findings;
  },
};
