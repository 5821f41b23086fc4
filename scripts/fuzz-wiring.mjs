#!/usr/bin/env node
// Runs the wiring fuzzer at full size: `npm run fuzz:wiring -- [--cases N] [--seed S] [--save]`.
// Prints the figures (cases, edited, refused, failed) and, with --save, keeps failed cases as fixtures.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { cases: { type: 'string', default: '10000' }, seed: { type: 'string', default: '20261202' }, save: { type: 'boolean', default: false } },
});
for (const [name, value] of Object.entries({ cases: values.cases, seed: values.seed })) {
  if (!/^\d+$/.test(value)) {
    console.error(`fuzz-wiring: --${name} must be a whole number, got "${value}"`);
    process.exit(2);
  }
}
const report = path.join(mkdtempSync(path.join(tmpdir(), 'layered-fuzz-')), 'report.json');
const run = spawnSync('npx', ['vitest', 'run', 'src/python/wiring-fuzz/wiring-fuzz.spec.ts', '-t', 'keeps every promise'], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    ...process.env,
    LAYERED_FUZZ_CASES: values.cases,
    LAYERED_FUZZ_SEED: values.seed,
    LAYERED_FUZZ_REPORT: report,
    LAYERED_FUZZ_PROGRESS: '1',
    ...(values.save ? { LAYERED_FUZZ_SAVE: '1' } : {}),
  },
});
try {
  const figures = JSON.parse(readFileSync(report, 'utf-8'));
  console.log(
    `wiring fuzz, seed ${figures.seed}: ${figures.cases} cases, ${figures.edited} edited, ${figures.refused} refused (${figures.refusedInvalid} of them input CPython rejects), ${figures.failed} failed, in ${figures.seconds.toFixed(0)} s`,
  );
  for (const failure of figures.failures.slice(0, 20)) console.log(`  ${failure}`);
} catch {
  console.error('fuzz-wiring: the fuzzer wrote no report; see the output above');
}
process.exit(run.status ?? 1);
