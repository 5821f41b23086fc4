/** Stage 6, ignores: drops findings covered by config or inline ignores; reports ignores without reason or match. */
import type { ConfigIgnore, LayeredConfig } from './config';
import { pathGlobToRegExp } from './layers';
import { META_RULES, RULE_IDS, RULES } from './rules/registry';
import type { InlineIgnore } from './scan/facts';
import type { Finding, ProjectModel } from './types';

interface ConfigMatcher {
  ignore: ConfigIgnore;
  pattern: RegExp;
  used: boolean;
}

/** Inline ignores by module path, for the modules that have some. */
export function inlineIgnoresOf(project: ProjectModel): Map<string, InlineIgnore[]> {
  const ignores = new Map<string, InlineIgnore[]>();
  for (const module of project.modules) if (module.facts.ignores.length > 0) ignores.set(module.path, module.facts.ignores);
  return ignores;
}

export function applyIgnores(findings: Finding[], ignores: Map<string, InlineIgnore[]>, config: LayeredConfig): Finding[] {
  const configMatchers = config.ignores.map((ignore) => ({ ignore, pattern: pathGlobToRegExp(ignore.path), used: false }));
  const inlineUsed = new Set<string>();
  const kept = findings.filter((finding) => !suppressed(finding, configMatchers, ignores, inlineUsed));
  const enabled = new Set(RULES.filter((rule) => (config.severity[rule.id] ?? rule.defaultSeverity) !== 'off').map((rule) => rule.id));
  enabled.add(META_RULES.unchecked.id);
  for (const matcher of configMatchers) {
    if (matcher.used || !matcher.ignore.rules.some((rule) => enabled.has(rule))) continue;
    kept.push(unusedConfigIgnore(matcher.ignore));
  }
  for (const [modulePath, inlines] of ignores) for (const inline of inlines) kept.push(...inlineIgnoreFindings(modulePath, inline, enabled, inlineUsed));
  return kept;
}

/** Whether an ignore covers the finding; marks every ignore that does as used. */
function suppressed(finding: Finding, configMatchers: ConfigMatcher[], ignores: Map<string, InlineIgnore[]>, inlineUsed: Set<string>): boolean {
  let covered = false;
  for (const matcher of configMatchers) {
    if (matcher.ignore.rules.includes(finding.rule) && matcher.pattern.test(finding.path)) {
      matcher.used = true;
      covered = true;
    }
  }
  for (const inline of ignores.get(finding.path) ?? []) {
    if (!inline.rules.includes(finding.rule) || (inline.line !== finding.line && inline.statementLine !== finding.line)) continue;
    if (inline.reason === '') continue; // reported as LAY101; a reasonless ignore does not count
    inlineUsed.add(`${finding.path}:${inline.line}:${finding.rule}`);
    covered = true;
  }
  return covered;
}

/** LAY101 for an inline ignore without a reason, else LAY100 for each of its rules that matched nothing. */
function inlineIgnoreFindings(modulePath: string, inline: InlineIgnore, enabled: Set<string>, inlineUsed: Set<string>): Finding[] {
  const where = { path: modulePath, line: inline.line, col: inline.col + 1 };
  if (inline.reason === '') {
    return [
      {
        rule: META_RULES.ignoreWithoutReason.id,
        severity: 'error',
        ...where,
        message: `\`# layered: ignore[${inline.rules.join(', ')}]\` at line ${inline.line} gives no reason`,
        hint: META_RULES.ignoreWithoutReason.hint,
        key: `ignore[${inline.rules.join(',')}] without reason`,
      },
    ];
  }
  const findings: Finding[] = [];
  for (const rule of inline.rules) {
    if (!enabled.has(rule) && RULE_IDS.includes(rule)) continue;
    if (inlineUsed.has(`${modulePath}:${inline.line}:${rule}`)) continue;
    findings.push({
      rule: META_RULES.unusedIgnore.id,
      severity: 'error',
      ...where,
      message: RULE_IDS.includes(rule) || rule === META_RULES.unchecked.id
        ? `\`# layered: ignore[${rule}]\` at line ${inline.line} matches no ${rule} finding`
        : `\`# layered: ignore[${rule}]\` at line ${inline.line} names an unknown rule`,
      hint: META_RULES.unusedIgnore.hint,
      key: `ignore[${rule}] unused`,
    });
  }
  return findings;
}

function unusedConfigIgnore(ignore: ConfigIgnore): Finding {
  return {
    rule: META_RULES.unusedIgnore.id,
    severity: 'error',
    path: 'pyproject.toml',
    line: ignore.line,
    col: 1,
    message: `tool.layered.ignore[${ignore.index}] (${ignore.rules.join(', ')} in "${ignore.path}") matches no finding`,
    hint: META_RULES.unusedIgnore.hint,
    key: `ignore ${ignore.rules.join(',')} ${ignore.path} unused`,
  };
}
