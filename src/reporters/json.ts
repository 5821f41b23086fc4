/** Machine-readable report: the findings and summary as JSON, stable across runs. */
import type { ReportContext } from './types';

export function jsonReport({ result, pathPrefix }: ReportContext): string {
  const errors = result.findings.filter((finding) => finding.severity === 'error').length;
  const document = {
    version: 1,
    tool: 'layered',
    summary: { errors, warnings: result.findings.length - errors, baselined: result.baselined, disappeared: result.disappeared.length, modules: result.stats.modules },
    findings: result.findings.map((finding) => ({
      rule: finding.rule,
      severity: finding.severity,
      path: `${pathPrefix}${finding.path}`,
      line: finding.line,
      col: finding.col,
      message: finding.message,
      hint: finding.hint,
      key: finding.key,
    })),
    disappeared: result.disappeared.map((entry) => ({ ...entry, path: `${pathPrefix}${entry.path}` })),
    notes: result.notes.map((note) => `${pathPrefix}${note}`),
    layers: result.layers,
    graph: result.graph,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
