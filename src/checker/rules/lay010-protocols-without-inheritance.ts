import { classesDerivedFrom, classIndex, PROTOCOL_BASES, resolveClass, resolvedBases } from './helpers';
import type { RawFinding, Rule } from '../types';

const ABC_NAMES = new Set(['abc.ABC', 'abc.ABCMeta']);

export const lay010: Rule = {
  id: 'LAY010',
  title: 'No abc.ABC, and implementations do not subclass their Protocol',
  rationale: 'Interfaces are typing.Protocol: no ABC, no inheritance; implementations just match the signature.',
  hint: 'Declare the interface as a @runtime_checkable Protocol and let the implementation match its methods without naming it as a base.',
  defaultSeverity: 'error',
  check(project) {
    const findings: RawFinding[] = [];
    const classes = classIndex(project);
    const protocols = classesDerivedFrom(project, (q) => PROTOCOL_BASES.has(q));
    const resolved = resolvedBases(project);
    for (const module of project.modules) {
      if (!module.inPackage) continue;
      for (const cls of module.facts.classes) {
        const bases = (cls.topLevel ? resolved.get(`${module.name}.${cls.name}`) : undefined) ?? cls.bases.map((base) => resolveClass(project, module, base, classes));
        const metaclass = cls.keywords.metaclass ? resolveClass(project, module, cls.keywords.metaclass, classes) : null;
        const abc = [...bases, metaclass].find((name) => name !== null && ABC_NAMES.has(name));
        const where = { path: module.path, line: cls.line, col: cls.col + 1 };
        if (abc) {
          findings.push({ ...where, message: `class \`${cls.name}\` in \`${module.name}\` uses \`${abc}\` (line ${cls.line})`, key: `${module.name}.${cls.name} abc` });
          continue;
        }
        if (bases.some((base) => PROTOCOL_BASES.has(base))) continue; // a Protocol may extend a Protocol
        const implemented = bases.find((base) => protocols.has(base));
        if (implemented) {
          findings.push({
            ...where,
            message: `class \`${cls.name}\` in \`${module.name}\` subclasses the Protocol \`${implemented}\` (line ${cls.line})`,
            key: `${module.name}.${cls.name} -> ${implemented}`,
          });
        }
      }
    }
    return findings;
  },
};
