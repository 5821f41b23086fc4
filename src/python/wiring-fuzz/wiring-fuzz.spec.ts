import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CPythonJudge, findJudgePython } from '../cpython';
import { FuzzCase, FuzzReport, Oracle, runCase, runWiringFuzz } from './fuzz';

// A slice of the wiring fuzzer in every `npm test`; `npm run fuzz:wiring` runs 10,000 or more.
const CASES = Number(process.env.LAYERED_FUZZ_CASES ?? 300);
const SEED = Number(process.env.LAYERED_FUZZ_SEED ?? 20261202);
const FIXTURES = path.join(__dirname, '..', '__fixtures__', 'wiring-fuzz');

const python = findJudgePython({ workspaceRoot: process.cwd(), projectRoot: '.', env: process.env });

function summary(failure: FuzzReport['failed'][number]): string {
  return `case ${failure.case.seed} [${failure.case.applied.join('; ')}]: ${failure.problems.join('; ')}`;
}

describe('wiring fuzz: hand-edited modules, CPython as the oracle', () => {
  it(`keeps every promise over ${CASES} cases from seed ${SEED}`, { timeout: 60_000 + CASES * 1_000 }, async () => {
    expect(python, 'the fuzzer needs python3 on PATH').not.toBeNull();
    const started = Date.now();
    const report = await runWiringFuzz(python!, SEED, CASES, (index, progress) => {
      if (process.env.LAYERED_FUZZ_PROGRESS && (index + 1) % 500 === 0) {
        process.stderr.write(`wiring fuzz: ${index + 1}/${CASES} cases, ${progress.edited} edited, ${progress.refused} refused, ${progress.failed.length} failed\n`);
      }
    });
    // LAYERED_FUZZ_SAVE=1 keeps failed cases as fixtures here; a path keeps them there instead.
    const save = process.env.LAYERED_FUZZ_SAVE;
    if (save) {
      const folder = save === '1' ? FIXTURES : path.resolve(save);
      mkdirSync(folder, { recursive: true });
      for (const failure of report.failed) {
        writeFileSync(path.join(folder, `case-${failure.case.seed}.json`), `${JSON.stringify({ ...failure.case, problems: failure.problems }, null, 2)}\n`);
      }
    }
    if (process.env.LAYERED_FUZZ_REPORT) {
      const figures = { seed: SEED, cases: report.cases, edited: report.edited, refused: report.refused, refusedInvalid: report.refusedInvalid, failed: report.failed.length, seconds: (Date.now() - started) / 1000 };
      writeFileSync(process.env.LAYERED_FUZZ_REPORT, `${JSON.stringify({ ...figures, failures: report.failed.map(summary) }, null, 2)}\n`);
    }
    expect(report.failed.map(summary)).toEqual([]);
    // The cases must exercise both paths: edits of valid input, and refusals.
    expect(report.edited).toBeGreaterThan(CASES * 0.4);
    expect(report.refused).toBeGreaterThan(CASES * 0.02);
  });

  describe('cases that once failed', () => {
    const fixtures = readdirSync(FIXTURES).filter((name) => name.endsWith('.json')).sort();
    let judge: CPythonJudge;
    let oracle: Oracle;
    beforeAll(() => {
      judge = CPythonJudge.start(python!);
      oracle = new Oracle(python!);
    });
    afterAll(() => {
      judge.close();
      oracle.close();
    });

    it.each(fixtures)('%s', async (name) => {
      const fuzzCase = JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf-8')) as FuzzCase;
      const outcome = await runCase(judge, fuzzCase);
      expect(await oracle.problems(fuzzCase, outcome)).toEqual([]);
    });
  });
});
