/** The default report: findings grouped by file, `path:line:col`, rule, message and hint. */
import type { Finding } from '../checker/types';
import type { ReportContext } from './types';

const STYLE = { red: '31', yellow: '33', dim: '2', bold: '1', cyan: '36', green: '32' } as const;

function painter(color: boolean) {
  return (style: keyof typeof STYLE, text: string): string => (color ? `\u001b[${STYLE[style]}m${text}\u001b[0m` : text);
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function prettyReport({ result, pathPrefix, color }: ReportContext): string {
  const paint = painter(color);
  const out: string[] = [];
  const byFile = new Map<string, Finding[]>();
  for (const finding of result.findings) byFile.set(finding.path, [...(byFile.get(finding.path) ?? []), finding]);
  for (const [file, findings] of byFile) {
    out.push(paint('bold', `${pathPrefix}${file}`));
    for (const finding of findings) {
      const level = finding.severity === 'error' ? paint('red', 'error  ') : paint('yellow', 'warning');
      out.push(`  ${pathPrefix}${file}:${finding.line}:${finding.col}  ${level}  ${paint('cyan', finding.rule)}  ${finding.message}`);
      out.push(`    ${paint('dim', `hint: ${finding.hint}`)}`);
    }
    out.push('');
  }
  if (result.disappeared.length > 0) {
    out.push(paint('green', `Fixed since the baseline (${plural(result.disappeared.reduce((sum, entry) => sum + entry.count, 0), 'finding')}; run with --update-baseline to lock it in):`));
    for (const entry of result.disappeared) out.push(`  ${pathPrefix}${entry.path}  ${entry.rule}  ${entry.key}${entry.count > 1 ? ` (x${entry.count})` : ''}`);
    out.push('');
  }
  for (const note of result.notes) out.push(paint('dim', `note: ${pathPrefix}${note}`));
  if (result.notes.length > 0) out.push('');
  const errors = result.findings.filter((finding) => finding.severity === 'error').length;
  const warnings = result.findings.length - errors;
  const known = result.baselined > 0 ? `; ${result.baselined} known in the baseline${result.baselineWritten ? ` (written to ${pathPrefix}${result.baselineWritten})` : ''}` : '';
  const checked = `${plural(result.stats.modules, 'module')} checked${known}`;
  if (result.findings.length === 0) out.push(paint('green', `✔ check-layers: no findings (${checked}).`));
  else {
    const summary = `✖ check-layers: ${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(byFile.size, 'file')} (${checked}).`;
    out.push(errors > 0 ? paint('red', summary) : paint('yellow', summary));
  }
  return `${out.join('\n')}\n`;
}
