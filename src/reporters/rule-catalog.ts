/** Rule metadata for reporters, including the meta rules about the check itself. */
import { META_RULES, RULES } from '../checker/rules/registry';

export interface RuleDescription {
  id: string;
  title: string;
  rationale: string;
  hint: string;
  defaultSeverity: 'error' | 'warning';
}

export const RULE_CATALOG: readonly RuleDescription[] = [
  ...RULES.map(({ id, title, rationale, hint, defaultSeverity }) => ({ id, title, rationale, hint, defaultSeverity })),
  ...Object.values(META_RULES).map(({ id, title, hint }) => ({ id, title, rationale: title, hint, defaultSeverity: 'error' as const })),
].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

export function ruleTitle(id: string): string {
  return RULE_CATALOG.find((rule) => rule.id === id)?.title ?? id;
}
