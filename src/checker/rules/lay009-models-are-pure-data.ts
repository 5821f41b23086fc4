import { classesDerivedFrom, describeLayer, fromLibrary, importFindings, modulesIn, PROTOCOL_BASES, qualify, resolvedBases } from './helpers';
import type { ModuleInfo, RawFinding, Rule } from '../types';

const DATA_ROOTS = new Set(['typing.NamedTuple', 'typing.TypedDict', 'typing_extensions.TypedDict', 'typing_extensions.NamedTuple', ...PROTOCOL_BASES]);
const DATACLASS_DECORATORS = new Set(['dataclasses.dataclass', 'pydantic.dataclasses.dataclass']);

function isEnum(qualified: string): boolean {
  return qualified.startsWith('enum.');
}

/** `dataclass(frozen=True, slots=True)` -> true; plain `dataclass` or without slots=True -> false. */
function dataclassState(module: ModuleInfo, decorators: string[]): 'slots' | 'no-slots' | 'none' {
  for (const decorator of decorators) {
    const head = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(decorator)?.[0] ?? '';
    if (!DATACLASS_DECORATORS.has(qualify(module, head))) continue;
    return /[(,]slots=True[,)]/.test(decorator) ? 'slots' : 'no-slots';
  }
  return 'none';
}

export const lay009: Rule = {
  id: 'LAY009',
  title: 'Models are slotted dataclasses or Pydantic models, and import no other layer',
  rationale: 'Model: pure data, dataclass or Pydantic; dataclasses use slots=True always.',
  hint: 'Declare the class as @dataclass(slots=True) (frozen=True for values) or a Pydantic BaseModel, and keep models free of imports from other layers.',
  defaultSeverity: 'error',
  check(project) {
    const findings: RawFinding[] = [];
    const models = modulesIn(project, 'models');
    if (models.length === 0) return findings;
    const isModelBase = (qualified: string): boolean => fromLibrary(qualified, project.config.modelLibraries);
    const modelClasses = classesDerivedFrom(project, isModelBase);
    const plainData = classesDerivedFrom(project, (q) => isEnum(q) || DATA_ROOTS.has(q));
    const resolved = resolvedBases(project);
    for (const module of models) {
      const matched = module.imports.filter((imp) => imp.internal && imp.layer !== null && imp.layer !== 'models');
      findings.push(...importFindings(module, matched, describeLayer(module.layer)));
      for (const cls of module.facts.classes) {
        if (!cls.topLevel) continue;
        const qualified = `${module.name}.${cls.name}`;
        if (modelClasses.has(qualified) || plainData.has(qualified)) continue;
        const bases = resolved.get(qualified) ?? [];
        if (bases.some((base) => isModelBase(base) || DATA_ROOTS.has(base) || isEnum(base))) continue;
        const state = dataclassState(module, cls.decorators);
        if (state === 'slots') continue;
        findings.push({
          path: module.path,
          line: cls.line,
          col: cls.col + 1,
          message:
            state === 'no-slots'
              ? `dataclass \`${cls.name}\` in \`${module.name}\` is declared without slots=True (line ${cls.line})`
              : `class \`${cls.name}\` in \`${module.name}\` is neither a dataclass with slots=True nor a model of ${project.config.modelLibraries.join(' or ')} (line ${cls.line})`,
          key: `${qualified} ${state}`,
        });
      }
    }
    return findings;
  },
};
