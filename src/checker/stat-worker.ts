/** Worker thread of `findProjectFiles`: stats its share of files into shared memory (NaN when it cannot). */
import { statSync } from 'node:fs';
import { workerData } from 'node:worker_threads';

const { paths, values, signal } = workerData as { paths: string; values: SharedArrayBuffer; signal: SharedArrayBuffer };
const out = new Float64Array(values);
const done = new Int32Array(signal);
let index = 0;
try {
  for (const file of paths.split('\u0000')) {
    let stat;
    try {
      stat = statSync(file, { throwIfNoEntry: false });
    } catch {
      stat = undefined;
    }
    out[index * 2] = stat && stat.isFile() ? stat.mtimeMs : Number.NaN;
    out[index * 2 + 1] = stat ? stat.size : Number.NaN;
    index++;
  }
} finally {
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
}
