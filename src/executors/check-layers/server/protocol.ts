/** What the check-layers client and server say to each other: one JSON line each way per connection. */
import { lstatSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { RunOptions, RunOutcome } from '../run';

export type RunRequest = Omit<RunOptions, 'projectRoot' | 'cacheDirectory' | 'files'>;

/** Every request names the server it is meant for, so a name clash of sockets cannot give another project's answer. */
export interface Addressed {
  build: string;
  projectRoot: string;
  cacheDirectory: string;
}

export type Request = (Addressed & { run: RunRequest }) | (Addressed & { stop: true });

export type Response = Pick<RunOutcome, 'exitCode' | 'stdout' | 'stderr'> | { restart: true } | { stopped: true; answered: number } | { failed: string };

export const SERVER_FILE = path.join(__dirname, 'server.js');

/** Changes whenever layered is installed or built again (or Node changes): an older server then steps down. */
export function buildId(): string {
  const stat = statSync(__filename);
  return `${process.version}:${stat.mtimeMs}:${stat.size}`;
}

/**
 * The server's socket: one per project and cache folder, in a folder only this user can enter
 * (`$TMPDIR/layered-<uid>`); short enough for the 107-byte limit of socket paths. Null when that
 * folder is not private, so nobody else's process can answer for this project.
 */
export function socketPathFor(projectRoot: string, cacheDirectory: string): string | null {
  const uid = process.getuid?.() ?? 0;
  const folder = path.join(tmpdir(), `layered-${uid}`);
  try {
    const stat = lstatSync(folder, { throwIfNoEntry: false }) ?? (mkdirSync(folder, { mode: 0o700, recursive: true }), lstatSync(folder));
    if (!stat.isDirectory() || stat.uid !== uid || (stat.mode & 0o077) !== 0) return null;
  } catch {
    return null;
  }
  return path.join(folder, `${nameHash(`${path.resolve(projectRoot)}\u0000${path.resolve(cacheDirectory)}`)}.sock`);
}

// Two independent 32-bit FNV-1a lanes: a short, stable file name without loading node:crypto.
function nameHash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
  }
  return `${(a >>> 0).toString(16).padStart(8, '0')}${(b >>> 0).toString(16).padStart(8, '0')}`;
}
