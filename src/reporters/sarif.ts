/** SARIF 2.1.0, as GitHub code scanning reads it: rules with help text, results with regions and fingerprints. */
import { createHash } from 'node:crypto';
import { RULE_CATALOG } from './rule-catalog';
import type { ReportContext } from './types';

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export function sarifReport({ result, pathPrefix, toolVersion }: ReportContext): string {
  const rules = RULE_CATALOG.map((rule) => ({
    id: rule.id,
    name: rule.title.replace(/[^A-Za-z0-9]+(.)?/g, (_match, next: string | undefined) => (next ? next.toUpperCase() : '')).replace(/^./, (first) => first.toUpperCase()),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.rationale },
    help: { text: rule.hint, markdown: `**${rule.id}** ${rule.title}\n\nWhy: ${rule.rationale}\n\nFix: ${rule.hint}` },
    defaultConfiguration: { level: rule.defaultSeverity },
  }));
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const results = result.findings.map((finding) => ({
    ruleId: finding.rule,
    ruleIndex: ruleIndex.get(finding.rule) ?? 0,
    level: finding.severity,
    message: { text: `${finding.message}. ${finding.hint}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeURI(`${pathPrefix}${finding.path}`) },
          region: { startLine: finding.line, startColumn: finding.col },
        },
      },
    ],
    partialFingerprints: {
      'layered/v1': createHash('sha256').update(`${finding.rule}\u0000${pathPrefix}${finding.path}\u0000${finding.key}`).digest('hex'),
    },
  }));
  const document = {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'layered', informationUri: 'https://www.npmjs.com/package/layered', version: toolVersion, rules } },
        results,
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
