import { githubReport } from './github';
import { jsonReport } from './json';
import { prettyReport } from './pretty';
import { sarifReport } from './sarif';
import type { ReportFormat } from './formats';
import type { Reporter } from './types';

export { mermaidGraph } from './mermaid';
export type { ReportContext, Reporter } from './types';

export { isReportFormat, REPORT_FORMATS } from './formats';
export type { ReportFormat } from './formats';

export const REPORTERS: Record<ReportFormat, Reporter> = { pretty: prettyReport, json: jsonReport, sarif: sarifReport, github: githubReport };

/** The format an output file gets from its name: .sarif, .json, else pretty text. */
export function formatForFile(file: string): ReportFormat {
  if (file.endsWith('.sarif') || file.endsWith('.sarif.json')) return 'sarif';
  if (file.endsWith('.json')) return 'json';
  return 'pretty';
}
