/**
 * Reading and scanning source files into facts. Many files are scanned on worker threads
 * (one per spare core); the caller still gets a plain synchronous answer.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { TextDecoder } from 'node:util';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { CachedFile, contentHash } from './facts-cache';
import { readFileFacts } from './facts';

export type ScanOutcome = CachedFile | { problem: string };

/**
 * Below this many files, starting workers costs more than it saves: each worker loads the checker
 * and warms up its own JIT (~1 s of CPU for the tokenizer and facts), so with 4,000 files a worker
 * added a third to the CPU time of a cold check and, on a busy two-core machine, made it no faster.
 */
const PARALLEL_THRESHOLD = 12_000;
const WORKER_FILE = path.join(__dirname, 'scan-worker.js');
export const SCAN_BATCH = 256;
/** A worker that makes no progress for this long is treated as dead. */
const WORKER_STALL_MS = 120_000;

const PYTHON_CODEC_ALIASES: Record<string, string> = { 'latin-1': 'latin1', 'iso-latin-1': 'latin1', 'l1': 'latin1', cp1252: 'windows-1252', ascii: 'utf-8', 'us-ascii': 'utf-8' };
const CODING_COOKIE = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

/** One decoder per encoding: a decode without `stream` starts afresh each time. */
const DECODERS = new Map<string, TextDecoder>();

/** Decodes Python source as Python does: UTF-8 unless a coding cookie in the first two lines says otherwise. */
export function decodePython(bytes: Uint8Array): { text: string } | { problem: string; line: number; col: number } {
  let encoding = 'utf-8';
  // A coding cookie spells `coding`: without it in the first 400 bytes, the file is UTF-8.
  const start = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(400, bytes.length));
  const head = start.indexOf('coding') < 0 ? [] : start.toString('latin1').split('\n').slice(0, 2);
  for (const line of head) {
    const match = CODING_COOKIE.exec(line);
    if (match) {
      encoding = match[1].toLowerCase().replace(/_/g, '-');
      break;
    }
    if (!/^[ \t\f]*(#.*)?\r?$/.test(line)) break;
  }
  if (encoding === 'utf8' || encoding.startsWith('utf-8')) encoding = 'utf-8';
  // Python codec names that WHATWG labels spell differently.
  encoding = PYTHON_CODEC_ALIASES[encoding] ?? encoding;
  let decoder = DECODERS.get(encoding);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(encoding, { fatal: true });
    } catch {
      return { problem: `unknown source encoding "${encoding}" in the coding declaration`, line: 1, col: 1 };
    }
    DECODERS.set(encoding, decoder);
  }
  try {
    return { text: decoder.decode(bytes) };
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const before = Buffer.from(bytes.subarray(0, offset)).toString('latin1');
    const line = before.split('\n').length;
    return { problem: `cannot be decoded as ${encoding} (invalid byte 0x${bytes[offset]?.toString(16).padStart(2, '0')} at offset ${offset})`, line, col: offset - before.lastIndexOf('\n') };
  }
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const byte = bytes[i];
    const size = byte < 0x80 ? 1 : byte >> 5 === 6 ? 2 : byte >> 4 === 14 ? 3 : byte >> 3 === 30 ? 4 : 0;
    if (size === 0) return i;
    for (let k = 1; k < size; k++) if (bytes[i + k] === undefined || bytes[i + k] >> 6 !== 2) return i;
    i += size;
  }
  return 0;
}

function readWhole(absolute: string): { bytes: Buffer; mtimeMs: number; size: number } {
  const descriptor = openSync(absolute, 'r');
  try {
    const stat = fstatSync(descriptor);
    const bytes = Buffer.allocUnsafe(stat.size);
    let offset = 0;
    while (offset < stat.size) {
      const read = readSync(descriptor, bytes, offset, stat.size - offset, offset);
      if (read === 0) break;
      offset += read;
    }
    return { bytes: bytes.subarray(0, offset), mtimeMs: stat.mtimeMs, size: stat.size };
  } finally {
    closeSync(descriptor);
  }
}

/** Reads, hashes, decodes and scans one file. */
export function scanFile(absolute: string): ScanOutcome {
  let read;
  try {
    read = readWhole(absolute);
  } catch (error) {
    return { problem: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  const hash = contentHash(read.bytes);
  const decoded = decodePython(read.bytes);
  return 'text' in decoded
    ? { mtimeMs: read.mtimeMs, size: read.size, hash, facts: readFileFacts(decoded.text) }
    : { mtimeMs: read.mtimeMs, size: read.size, hash, facts: null, problem: `${decoded.problem}@${decoded.line}:${decoded.col}` };
}

function workerCount(files: number): number {
  const configured = process.env.LAYERED_SCAN_WORKERS;
  const wanted = configured !== undefined ? Number(configured) : files >= PARALLEL_THRESHOLD ? Math.min(availableParallelism() - 1, 7) : 0;
  return Number.isFinite(wanted) && wanted > 0 && existsSync(WORKER_FILE) ? Math.floor(wanted) : 0;
}

/** Scans files in order; with many files, shares the work between this thread and worker threads. */
export function scanFiles(files: string[]): ScanOutcome[] {
  const workers = workerCount(files.length);
  if (workers === 0) return files.map(scanFile);
  // Workers start a little late, so this thread takes a slightly larger share.
  const share = Math.floor(files.length / (workers + 1.15));
  const own = files.length - share * workers;
  const started = startWorkers(files, workers, own, share);
  const results: ScanOutcome[] = new Array(files.length);
  for (let i = 0; i < own; i++) results[i] = scanFile(files[i]);
  for (const worker of started) collectFromWorker(worker, results);
  return results;
}

/** A worker scanning files[from, to): it posts batches of outcomes and counts them in `signal`. */
interface ScanWorker {
  channel: MessageChannel;
  signal: Int32Array;
  worker: Worker;
  from: number;
  to: number;
}

/** Workers for the files after the first `own`, `share` files each. */
function startWorkers(files: string[], workers: number, own: number, share: number): ScanWorker[] {
  const started: ScanWorker[] = [];
  for (let i = 0, from = own; i < workers; i++, from += share) {
    const signal = new Int32Array(new SharedArrayBuffer(8));
    const channel = new MessageChannel();
    const worker = new Worker(WORKER_FILE, {
      workerData: { files: files.slice(from, from + share), signal: signal.buffer, port: channel.port2 },
      transferList: [channel.port2],
    });
    started.push({ channel, signal, worker, from, to: from + share });
  }
  return started;
}

/** Waits for a worker's outcomes and puts them in place; throws when it fails or stalls. */
function collectFromWorker({ channel, signal, worker, from, to }: ScanWorker, results: ScanOutcome[]): void {
  let position = from;
  let batches = 0;
  while (position < to) {
    const message = receiveMessageOnPort(channel.port1);
    if (message) {
      const payload = JSON.parse(message.message as string) as { outcomes?: ScanOutcome[]; error?: string };
      if (payload.error) throw new Error(`check-layers scan worker failed: ${payload.error}`);
      for (const outcome of payload.outcomes ?? []) results[position++] = outcome;
      batches++;
      continue;
    }
    if (Atomics.wait(signal, 0, batches, WORKER_STALL_MS) === 'timed-out' && Atomics.load(signal, 0) === batches) {
      void worker.terminate();
      throw new Error('check-layers scan worker stopped responding');
    }
  }
  channel.port1.close();
  void worker.terminate();
}
