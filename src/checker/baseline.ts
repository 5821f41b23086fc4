/**
 * The ratchet: a baseline file records accepted findings by rule, path and key (no line numbers,
 * so edits elsewhere in a file do not disturb it); later runs report only findings beyond it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Finding } from './types';

export interface BaselineEntry {
  rule: string;
  path: string;
  key: string;
  count: number;
}

export interface BaselineDocument {
  version: 1;
  findings: BaselineEntry[];
}

export class BaselineError extends Error {}

function identity(entry: { rule: string; path: string; key: string }): string {
  return `${entry.rule}\u0000${entry.path}\u0000${entry.key}`;
}

// Code-unit order: the baseline file must not change with the machine's locale.
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareEntries(a: BaselineEntry, b: BaselineEntry): number {
  return compareText(a.path, b.path) || compareText(a.rule, b.rule) || compareText(a.key, b.key);
}

export function baselineOf(findings: Finding[]): BaselineDocument {
  const counts = new Map<string, BaselineEntry>();
  for (const finding of findings) {
    const id = identity(finding);
    const entry = counts.get(id);
    if (entry) entry.count++;
    else counts.set(id, { rule: finding.rule, path: finding.path, key: finding.key, count: 1 });
  }
  return { version: 1, findings: [...counts.values()].sort(compareEntries) };
}

export function writeBaseline(file: string, findings: Finding[]): BaselineDocument {
  const document = baselineOf(findings);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  return document;
}

export function readBaseline(file: string): BaselineDocument | null {
  if (!existsSync(file)) return null;
  let document: BaselineDocument;
  try {
    document = JSON.parse(readFileSync(file, 'utf-8')) as BaselineDocument;
  } catch (error) {
    throw new BaselineError(`${file}: not valid JSON (${(error as Error).message}); regenerate it with --update-baseline.`);
  }
  if (document?.version !== 1 || !Array.isArray(document.findings)) {
    throw new BaselineError(`${file}: not a layered baseline (expected {"version": 1, "findings": [...]}); regenerate it with --update-baseline.`);
  }
  return document;
}

export interface BaselineOutcome {
  /** Findings not covered by the baseline. */
  fresh: Finding[];
  /** How many findings the baseline absorbed. */
  known: number;
  /** Baseline entries (with the missing count) that no longer occur. */
  disappeared: BaselineEntry[];
}

/** Splits findings into new ones and known ones; lists baseline entries that went away. */
export function applyBaseline(findings: Finding[], baseline: BaselineDocument): BaselineOutcome {
  const remaining = new Map<string, number>();
  for (const entry of baseline.findings) remaining.set(identity(entry), (remaining.get(identity(entry)) ?? 0) + entry.count);
  const fresh: Finding[] = [];
  let known = 0;
  for (const finding of findings) {
    const id = identity(finding);
    const left = remaining.get(id) ?? 0;
    if (left > 0) {
      remaining.set(id, left - 1);
      known++;
    } else fresh.push(finding);
  }
  const disappeared = baseline.findings
    .map((entry) => ({ ...entry, count: Math.min(entry.count, remaining.get(identity(entry)) ?? 0) }))
    .filter((entry) => entry.count > 0);
  // An entry listed twice must not be reported twice.
  const seen = new Set<string>();
  return {
    fresh,
    known,
    disappeared: disappeared.filter((entry) => !seen.has(identity(entry)) && seen.add(identity(entry))).sort(compareEntries),
  };
}
