import { githubReport } from './github';
import { jsonReport } from './json';
import { prettyReport } from './pretty';
import { sarifReport } from './sarif';
import type { Reporter } from './types';

export { mermaidGraph } from './mermaid';
export type { ReportContext, Reporter } from './types';

export const REPORTERS = { pretty: prettyReport, json: jsonReport, sarif: sarifReport, github: githubReport } satisfies Record<string, Reporter>;
export type ReportFormat = keyof typeof REPORTERS;

export function isReportFormat(value: string): value is ReportFormat {
  return value in REPORTERS;
}

/** The format an output file gets from its name: .sarif, .json, else pretty text. */
export function formatForFile(file: string): ReportFormat {
  if (file.endsWith('.sarif') || file.endsWith('.sarif.json')) return 'sarif';
  if (file.endsWith('.json')) return 'json';
  return 'pretty';
}
