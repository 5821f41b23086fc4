/** One check-layers run, shared by the Nx executor and the command line: check, report, exit code. */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { BaselineError } from '../../checker/baseline';
import { CheckOptions, checkProject, CheckResult } from '../../checker/check';
import { ConfigError } from '../../checker/config';
import { layeredVersion } from '../../checker/version';
import { formatForFile, mermaidGraph, ReportContext, ReportFormat, REPORTERS } from '../../reporters';

export interface RunOptions {
  /** Absolute path of the Python project (the folder holding pyproject.toml). */
  projectRoot: string;
  format: ReportFormat;
  outputFile?: string;
  graph?: string;
  baseline?: string;
  updateBaseline?: boolean;
  /** Per-file facts cache directory; null disables it. */
  cacheDirectory: string | null;
  color: boolean;
  /** Prepended to project-relative paths in reports. */
  pathPrefix: string;
  /** The project's files as the check server's watcher knows them. */
  files?: CheckOptions['files'];
}

export interface RunOutcome {
  exitCode: 0 | 1 | 2;
  /** What to print on stdout (the report in `format`). */
  stdout: string;
  /** Usage and config errors. */
  stderr: string;
  result?: CheckResult;
}

export const EXIT_CLEAN = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

function writeFile(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

export function runCheckLayers(options: RunOptions): RunOutcome {
  let result: CheckResult;
  try {
    result = checkProject(options.projectRoot, { cacheDirectory: options.cacheDirectory, baseline: options.baseline, updateBaseline: options.updateBaseline, files: options.files });
  } catch (error) {
    if (error instanceof ConfigError) return { exitCode: EXIT_USAGE, stdout: '', stderr: `check-layers: bad configuration in ${path.join(options.projectRoot, 'pyproject.toml')}: ${error.message}\n` };
    if (error instanceof BaselineError) return { exitCode: EXIT_USAGE, stdout: '', stderr: `check-layers: ${error.message}\n` };
    throw error;
  }
  const context: ReportContext = { result, pathPrefix: options.pathPrefix, color: options.color, toolVersion: layeredVersion() };
  if (options.outputFile) writeFile(options.outputFile, REPORTERS[formatForFile(options.outputFile)]({ ...context, color: false }));
  if (options.graph) writeFile(options.graph, mermaidGraph(context));
  const failed = result.findings.some((finding) => finding.severity === 'error');
  return { exitCode: failed ? EXIT_FINDINGS : EXIT_CLEAN, stdout: REPORTERS[options.format](context), stderr: '', result };
}
