/** Report format names, apart from the reporters themselves so the command line can check them without loading any. */
export const REPORT_FORMATS = ['pretty', 'json', 'sarif', 'github'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}
