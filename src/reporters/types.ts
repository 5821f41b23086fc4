import type { CheckResult } from '../checker/check';

export interface ReportContext {
  result: CheckResult;
  /** Prepended to project-relative paths (e.g. `apps/api/`), so paths are relative to where the user stands. */
  pathPrefix: string;
  /** ANSI colours; only for a terminal. */
  color: boolean;
  /** Version of layered, for SARIF. */
  toolVersion: string;
}

export type Reporter = (context: ReportContext) => string;
