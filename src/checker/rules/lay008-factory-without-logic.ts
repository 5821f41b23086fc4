import { modulesIn } from './helpers';
import type { ControlFlowKind } from '../scan/facts';
import type { RawFinding, Rule } from '../types';

function describe(kind: ControlFlowKind): string {
  if (kind === 'if' || kind === 'for' || kind === 'while' || kind === 'try' || kind === 'match') return `a \`${kind}\` statement`;
  if (kind === 'filtered comprehension') return 'a comprehension with an `if` filter';
  return `a ${kind}`;
}

export const lay008: Rule = {
  id: 'LAY008',
  title: 'The factory contains no control flow',
  rationale: 'Factory: assemble singletons and request-scoped objects; logic of any kind does not belong there.',
  hint: 'Move the decision into config (AppConfig) or into the object being built; the factory only constructs.',
  defaultSeverity: 'error',
  check(project) {
    const findings: RawFinding[] = [];
    for (const module of modulesIn(project, 'factory')) {
      for (const flow of module.facts.controlFlow) {
        findings.push({
          path: module.path,
          line: flow.line,
          col: flow.col + 1,
          message: `\`${module.name}\` (factory) contains ${describe(flow.kind)} at line ${flow.line}`,
          key: `${module.name} ${flow.kind}`,
        });
      }
    }
    return findings;
  },
};
