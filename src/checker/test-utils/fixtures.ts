import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Finding } from '../types';

export const FIXTURES = path.join(__dirname, '..', '__fixtures__');

/** A temporary copy of the clean fixture project with the given overlay folders copied over it. */
export function fixtureProject(...overlays: string[]): string {
  const root = mkdtempSync(path.join(tmpdir(), 'layered-fixture-'));
  cpSync(path.join(FIXTURES, 'clean'), root, { recursive: true });
  for (const overlay of overlays) {
    for (const entry of readdirSync(overlay)) {
      if (entry !== 'expected-findings.txt') cpSync(path.join(overlay, entry), path.join(root, entry), { recursive: true });
    }
  }
  return root;
}

/** One line per finding, as stored in expected-findings.txt. */
export function findingLines(findings: Finding[]): string {
  return findings.map((f) => `${f.path}:${f.line}:${f.col} ${f.rule} ${f.severity} ${f.message}`).join('\n') + (findings.length > 0 ? '\n' : '');
}
