#!/usr/bin/env node
// Wires a feature into a fresh app's four shared modules many times in one process and prints
// the resident memory, to show it stays flat (Nx's daemon and Nx Console run generators in one
// long-lived process). Build first: `node scripts/build.mjs`.
// usage: node bench/wiring-memory.mjs [--runs 1000] [--dist dist]
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '1000' }, dist: { type: 'string', default: join(repo, 'dist') } } });
const dist = resolve(values.dist);
if (!existsSync(join(dist, 'src', 'python', 'wiring.js'))) {
  console.error(`bench: ${dist}/src/python/wiring.js is missing; run \`node scripts/build.mjs\` first.`);
  process.exit(2);
}
const requireDist = createRequire(join(dist, 'package.json'));
const wiring = requireDist('./src/python/wiring.js');
const { applicationGenerator } = requireDist('./src/generators/application/generator.js');
const { createTreeWithEmptyWorkspace } = createRequire(join(repo, 'package.json'))('@nx/devkit/testing');

const tree = createTreeWithEmptyWorkspace();
await applicationGenerator(tree, { name: 'api', skipFormat: true, skipInstall: true });
const source = 'apps/api/src/api';
const modules = [
  [`${source}/domain/factory.py`, wiring.wireFeatureIntoFactory],
  [`${source}/http/routes/__init__.py`, wiring.wireFeatureIntoRouter],
  [`${source}/domain/repositories/tables.py`, wiring.wireFeatureIntoTables],
  [`${source}/domain/errors.py`, wiring.wireFeatureIntoErrors],
].map(([file, wire]) => ({ file, wire, text: tree.read(file, 'utf-8') }));
const feature = { packageName: 'api', module: 'recipe', className: 'Recipe', label: 'recipe', concurrentReads: true, writes: true, conflicts: true };

const mb = () => (process.memoryUsage().rss / 1024 / 1024).toFixed(1);
const runs = Number(values.runs);
// One wiring run: every module edited once (parse, locate, self-check), then wired again (no change).
async function wireOnce() {
  for (const { file, wire, text } of modules) {
    const edited = await wire(text, feature, { file });
    if (edited === text || (await wire(edited, feature, { file })) !== edited) throw new Error(`bench: wiring ${file} did not behave`);
  }
}

await wireOnce();
console.log(`rss at start (after 1 run): ${mb()} MB`);
const started = performance.now();
for (let run = 2; run <= runs; run++) {
  await wireOnce();
  if (run === 100 || (run % 1000 === 0 && run < runs)) console.log(`rss after ${run} runs: ${mb()} MB`);
}
console.log(`rss after ${runs} runs: ${mb()} MB (${((performance.now() - started) / runs).toFixed(1)} ms per run)`);
