/** GitHub Actions workflow commands: each finding becomes an annotation on its line. */
import { ruleTitle } from './rule-catalog';
import type { ReportContext } from './types';

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function githubReport({ result, pathPrefix }: ReportContext): string {
  const lines = result.findings.map((finding) => {
    const properties = `file=${escapeProperty(`${pathPrefix}${finding.path}`)},line=${finding.line},col=${finding.col},title=${escapeProperty(`${finding.rule} ${ruleTitle(finding.rule)}`)}`;
    return `::${finding.severity === 'error' ? 'error' : 'warning'} ${properties}::${escapeData(`${finding.message}\n${finding.hint}`)}`;
  });
  for (const note of result.notes) lines.push(`::notice title=check-layers::${escapeData(`${pathPrefix}${note}`)}`);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
