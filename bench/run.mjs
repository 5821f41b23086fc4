#!/usr/bin/env node
// Times check-layers on synthetic layered codebases: cold (no facts cache), warm (nothing changed)
// and warm with one file changed, with peak memory; then the same warm runs answered by the check
// server (`--daemon`). Build first: `node scripts/build.mjs`.
// usage: node bench/run.mjs [--sizes 4000,65000] [--runs 3] [--dir /tmp/layered-bench]
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateCorpus } from './generate-corpus.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'src', 'executors', 'check-layers', 'cli.js');
const { values } = parseArgs({ options: { sizes: { type: 'string', default: '4000,65000' }, runs: { type: 'string', default: '3' }, dir: { type: 'string', default: join(tmpdir(), 'layered-bench') } } });
if (!existsSync(cli)) {
  console.error(`bench: ${cli} is missing; run \`node scripts/build.mjs\` first.`);
  process.exit(2);
}
const runs = Number(values.runs);

function checkOnce(root, cacheDir, daemon = false) {
  const started = performance.now();
  const args = [join(here, 'measure-child.cjs'), cli, root, '--format', 'json', '--cache-dir', cacheDir, ...(daemon ? ['--daemon'] : [])];
  const env = { ...process.env, LAYERED_DAEMON: daemon ? '1' : '0' };
  const child = spawnSync(process.execPath, args, { encoding: 'utf-8', maxBuffer: 256 * 1024 * 1024, env });
  const ms = performance.now() - started;
  const marker = /__BENCH__ (.*)/.exec(child.stderr ?? '');
  if (!marker) throw new Error(`check-layers failed on ${root}:\n${child.stderr}`);
  const { code, maxRssKb } = JSON.parse(marker[1]);
  const findings = JSON.parse(child.stdout).findings.length;
  return { ms, rssMb: maxRssKb / 1024, code, findings, stdout: child.stdout };
}

const median = (numbers) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)];

function measure(label, root, cacheDir, prepare, daemon = false) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    prepare?.(i);
    samples.push(checkOnce(root, cacheDir, daemon));
  }
  return { label, ms: median(samples.map((s) => s.ms)), rssMb: Math.max(...samples.map((s) => s.rssMb)), findings: samples[0].findings, last: samples.at(-1) };
}

const requireDist = createRequire(cli);
const { socketPathFor } = requireDist('./server/protocol.js');

/** Starts the project's check server (as `--daemon` does) and waits until it answers. */
async function startDaemon(root, cacheDir) {
  checkOnce(root, cacheDir, true);
  const socket = socketPathFor(root, cacheDir);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const up = await new Promise((resolve) => {
      const probe = connect(socket);
      probe.once('connect', () => {
        probe.destroy();
        resolve(true);
      });
      probe.once('error', () => resolve(false));
    });
    if (up) return serverRssMb(root);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the check server for ${root} did not start`);
}

/** Peak memory of the check server process of `root` (from /proc). */
function serverRssMb(root) {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf-8').split('\0');
      if (!command.some((part) => part.endsWith('server.js')) || !command.includes(root)) continue;
      const peak = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf-8'));
      return peak ? Number(peak[1]) / 1024 : Number.NaN;
    } catch {
      // the process ended meanwhile
    }
  }
  return Number.NaN;
}

function corpus(size) {
  const root = join(values.dir, `corpus-${size}`);
  const stamp = join(root, '.bench-stamp');
  const generator = readFileSync(join(here, 'generate-corpus.mjs'), 'utf-8');
  const expected = `${size}:${generator.length}`;
  if (!existsSync(stamp) || readFileSync(stamp, 'utf-8') !== expected) {
    const started = performance.now();
    generateCorpus(root, size);
    writeFileSync(stamp, expected);
    console.log(`generated ${size} files in ${((performance.now() - started) / 1000).toFixed(1)} s under ${root}`);
  }
  return root;
}

function importLinter(root) {
  const found = spawnSync('sh', ['-c', 'command -v lint-imports'], { encoding: 'utf-8' });
  if (found.status !== 0) return 'import-linter: skipped (lint-imports is not on PATH)';
  writeFileSync(
    join(root, '.importlinter'),
    '[importlinter]\nroot_package = shop\n\n[importlinter:contract:layers]\nname = layers\ntype = layers\nlayers =\n    shop.http\n    shop.domain.controllers\n    shop.domain.services\n    shop.domain.repositories\n    shop.domain.models\n',
  );
  const started = performance.now();
  const result = spawnSync('lint-imports', ['--no-cache'], { cwd: root, encoding: 'utf-8', env: { ...process.env, PYTHONPATH: join(root, 'src') } });
  return `import-linter: ${((performance.now() - started) / 1000).toFixed(2)} s (exit ${result.status})`;
}

const rows = [];
for (const size of values.sizes.split(',').map(Number)) {
  const root = corpus(size);
  const cacheDir = join(values.dir, `cache-${size}`);
  const changed = join(root, 'src/shop/domain/services/g0/f1.py');
  const original = readFileSync(changed, 'utf-8');
  const cold = measure('cold', root, cacheDir, () => rmSync(cacheDir, { recursive: true, force: true }));
  checkOnce(root, cacheDir); // fill the cache
  const warm = measure('warm, nothing changed', root, cacheDir);
  const oneChanged = measure('warm, one file changed', root, cacheDir, (i) => writeFileSync(changed, `${original}\n# edit ${i}\nfrom sqlalchemy import text\n`));
  writeFileSync(changed, original);
  await startDaemon(root, cacheDir);
  const daemonWarm = measure('daemon, nothing changed', root, cacheDir, undefined, true);
  const daemonChanged = measure('daemon, one file changed', root, cacheDir, (i) => writeFileSync(changed, `${original}\n# daemon edit ${i}\nfrom sqlalchemy import text\n`), true);
  const fresh = checkOnce(root, cacheDir);
  const serverPeak = serverRssMb(root);
  spawnSync(process.execPath, [cli, root, '--cache-dir', cacheDir, '--stop-daemon'], { encoding: 'utf-8' });
  writeFileSync(changed, original);
  console.log(`${size} files: the check server's answers ${daemonChanged.last.stdout === fresh.stdout ? 'match' : 'DIFFER FROM'} a fresh process's; server peak RSS ${serverPeak.toFixed(0)} MB`);
  for (const row of [cold, warm, oneChanged, daemonWarm, daemonChanged]) rows.push({ files: size, ...row, ofCold: row.ms / cold.ms });
  console.log(importLinter(root));
}

console.log('\nfiles   run                      median ms   % of cold   peak RSS MB   findings');
for (const row of rows) {
  console.log(`${String(row.files).padEnd(8)}${row.label.padEnd(25)}${row.ms.toFixed(0).padStart(9)}   ${(row.ofCold * 100).toFixed(1).padStart(8)}%   ${row.rssMb.toFixed(0).padStart(11)}   ${String(row.findings).padStart(8)}`);
}
