import { modulesIn, qualify } from './helpers';
import type { FunctionFact, StatementFact } from '../scan/facts';
import type { ModuleInfo, ProjectModel, RawFinding, Rule } from '../types';

/** Attributes of `self` that hold a service: set in `__init__` from a parameter typed as a service. */
function serviceAttributes(project: ProjectModel, module: ModuleInfo, className: string): Set<string> {
  const init = module.facts.functions.find((fn) => fn.className === className && fn.name === '__init__');
  const attributes = new Set<string>();
  if (!init?.parameters || !init.selfAssignments) return attributes;
  const serviceParameters = new Set(
    init.parameters
      .filter((parameter) =>
        parameter.annotation.some((name) => {
          const qualified = qualify(module, name);
          const owner = qualified.slice(0, qualified.lastIndexOf('.'));
          return project.locator.layerOf(owner) === 'services' || /Service$/.test(name.split('.').pop() ?? '');
        }),
      )
      .map((parameter) => parameter.name),
  );
  for (const assignment of init.selfAssignments) if (serviceParameters.has(assignment.value)) attributes.add(assignment.attr);
  return attributes;
}

function isServiceCall(statement: StatementFact, services: Set<string>): boolean {
  const parts = statement.awaited?.split('.') ?? [];
  return statement.direct && parts.length >= 3 && parts[0] === 'self' && services.has(parts[1]);
}

/** The first pair of service awaits where the second does not use anything derived from the first. */
function independentPair(fn: FunctionFact, services: Set<string>): [StatementFact, StatementFact] | null {
  const statements = fn.statements ?? [];
  for (let i = 0; i < statements.length; i++) {
    if (!isServiceCall(statements[i], services)) continue;
    const derived = new Set(statements[i].targets);
    for (let j = i + 1; j < statements.length; j++) {
      const statement = statements[j];
      const uses = statement.uses.some((name) => derived.has(name));
      if (isServiceCall(statement, services)) return uses ? null : [statements[i], statement];
      if (uses) for (const target of statement.targets) derived.add(target);
    }
  }
  return null;
}

export const lay015: Rule = {
  id: 'LAY015',
  title: 'Controllers run independent service calls concurrently',
  rationale: 'Controller: orchestrate services with asyncio.TaskGroup.',
  hint: 'Start both calls in an `async with asyncio.TaskGroup() as tg:` block (each branch with its own session) and read the task results after it.',
  defaultSeverity: 'warning',
  check(project) {
    const findings: RawFinding[] = [];
    for (const module of modulesIn(project, 'controllers')) {
      const byClass = new Map<string, Set<string>>();
      for (const fn of module.facts.functions) {
        if (!fn.statements || fn.className === null) continue;
        let services = byClass.get(fn.className);
        if (!services) byClass.set(fn.className, (services = serviceAttributes(project, module, fn.className)));
        const pair = independentPair(fn, services);
        if (!pair) continue;
        const [first, second] = pair;
        findings.push({
          path: module.path,
          line: second.line,
          col: second.col + 1,
          message: `\`${fn.className}.${fn.name}\` in \`${module.name}\` awaits \`${second.awaited}\` at line ${second.line} after \`${first.awaited}\` at line ${first.line}, though it does not use its result`,
          key: `${module.name}.${fn.className}.${fn.name} ${first.awaited} ${second.awaited}`,
        });
      }
    }
    return findings;
  },
};
