/** Worker thread of `scanFiles`: scans its share of files and posts the facts back in batches. */
import { MessagePort, workerData } from 'node:worker_threads';
import { SCAN_BATCH, ScanOutcome, scanFile } from './scan';

const { files, signal, port } = workerData as { files: string[]; signal: SharedArrayBuffer; port: MessagePort };
const posted = new Int32Array(signal);

function post(payload: { outcomes?: ScanOutcome[]; error?: string }): void {
  // A JSON string crosses threads as one copy and parses ~3x faster than a structured clone of the objects.
  port.postMessage(JSON.stringify(payload));
  Atomics.add(posted, 0, 1);
  Atomics.notify(posted, 0);
}

try {
  for (let start = 0; start < files.length; start += SCAN_BATCH) post({ outcomes: files.slice(start, start + SCAN_BATCH).map(scanFile) });
} catch (error) {
  post({ error: (error as Error).stack ?? String(error) });
}
port.close();
