import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkProject } from './check';
import { RULE_IDS } from './rules/registry';
import { findingLines, FIXTURES, fixtureProject } from './test-utils/fixtures';

const VIOLATIONS = path.join(FIXTURES, 'violations');
const created: string[] = [];

function check(...overlays: string[]) {
  const root = fixtureProject(...overlays);
  created.push(root);
  return checkProject(root, { cacheDirectory: null });
}

afterEach(() => {
  for (const root of created.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('fixture projects', () => {
  it('the clean project (with decoys in docstrings, comments, strings, tests and allowed imports) has no findings', () => {
    const result = check();
    expect(findingLines(result.findings)).toBe('');
    expect(result.stats.modules).toBeGreaterThan(20);
  });

  it('there is one violation fixture per rule', () => {
    expect(readdirSync(VIOLATIONS).sort()).toEqual([...RULE_IDS]);
  });

  for (const rule of existsSync(VIOLATIONS) ? readdirSync(VIOLATIONS).sort() : []) {
    it(`${rule}: reports exactly the expected findings`, () => {
      const overlay = path.join(VIOLATIONS, rule);
      const actual = findingLines(check(overlay).findings);
      const expectedFile = path.join(overlay, 'expected-findings.txt');
      if (process.env.LAYERED_UPDATE_FIXTURES === '1') writeFileSync(expectedFile, actual);
      expect(actual).toBe(readFileSync(expectedFile, 'utf-8'));
      expect(actual.split('\n').some((line) => line.includes(` ${rule} `))).toBe(true);
    });
  }
});
