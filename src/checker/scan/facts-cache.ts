/**
 * Per-file facts cache: a file whose mtime and size are unchanged is not read again; one whose
 * content hash is unchanged is not scanned again. Facts never depend on configuration.
 */
import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { FACTS_VERSION, FileFacts } from './facts';

export interface CachedFile {
  mtimeMs: number;
  size: number;
  hash: string;
  /** Null when the file could not be decoded; `problem` says why. */
  facts: FileFacts | null;
  problem?: string;
}

interface CacheDocument {
  version: string;
  files: Record<string, CachedFile>;
}

const CACHE_FORMAT = `facts-${FACTS_VERSION}`;

// `crypto.hash` (Node >= 20.12) digests in one call: creating a Hash object per file cost ~30 us,
// a tenth of a cold scan. Same digest either way.
const oneShotHash = (crypto as unknown as { hash?: (algorithm: string, data: Uint8Array, encoding: 'hex') => string }).hash;

export function contentHash(bytes: Uint8Array): string {
  return oneShotHash ? oneShotHash('sha1', bytes, 'hex') : createHash('sha1').update(bytes).digest('hex');
}

// Written piece by piece: one JSON string of a large project's facts would double peak memory.
function writeDocumentInChunks(file: string, files: Record<string, CachedFile>): void {
  const descriptor = openSync(file, 'w');
  try {
    writeSync(descriptor, `{"version":${JSON.stringify(CACHE_FORMAT)},"files":{`);
    let chunk: string[] = [];
    let first = true;
    for (const [relativePath, entry] of Object.entries(files)) {
      chunk.push(`${first ? '' : ','}${JSON.stringify(relativePath)}:${JSON.stringify(entry)}`);
      first = false;
      if (chunk.length === 512) {
        writeSync(descriptor, chunk.join(''));
        chunk = [];
      }
    }
    writeSync(descriptor, `${chunk.join('')}}}`);
  } finally {
    closeSync(descriptor);
  }
}

export class FactsCache {
  private files: Record<string, CachedFile> = {};
  private readonly next: Record<string, CachedFile> = {};
  private readonly stored = new Set<string>();
  private loadedBase = false;
  private journalLines = 0;

  private constructor(private readonly file: string | null) {}

  /** A cache stored in `directory` for the project at `projectRoot`; null directory disables caching. */
  static open(directory: string | null, projectRoot: string): FactsCache {
    if (directory === null) return new FactsCache(null);
    const key = createHash('sha1').update(path.resolve(projectRoot)).digest('hex').slice(0, 16);
    const cache = new FactsCache(path.join(directory, `${key}.json`));
    cache.load();
    return cache;
  }

  private get journal(): string {
    return `${this.file}.journal`;
  }

  private load(): void {
    if (this.file === null || !existsSync(this.file)) return;
    try {
      const document = JSON.parse(readFileSync(this.file, 'utf-8')) as CacheDocument;
      if (document.version !== CACHE_FORMAT) return;
      this.files = document.files;
      this.loadedBase = true;
      // Small changes are appended to a journal instead of rewriting the whole cache.
      if (existsSync(this.journal)) {
        for (const line of readFileSync(this.journal, 'utf-8').split('\n')) {
          if (line === '') continue;
          const [relativePath, entry] = JSON.parse(line) as [string, CachedFile | null];
          if (entry === null) delete this.files[relativePath];
          else this.files[relativePath] = entry;
          this.journalLines++;
        }
      }
    } catch {
      // A corrupt cache is only a slower run.
      this.files = {};
      this.loadedBase = false;
    }
  }

  /** The entry of a file whose mtime and size match, if any. */
  lookup(relativePath: string, mtimeMs: number, size: number): CachedFile | undefined {
    const entry = this.files[relativePath];
    if (entry && entry.mtimeMs === mtimeMs && entry.size === size) {
      this.next[relativePath] = entry;
      return entry;
    }
    return undefined;
  }

  /** The entry of a file whose content hash matches (touched but unchanged), if any. */
  lookupByHash(relativePath: string, hash: string, mtimeMs: number, size: number): CachedFile | undefined {
    const entry = this.files[relativePath];
    if (entry && entry.hash === hash) {
      const refreshed = { ...entry, mtimeMs, size };
      this.store(relativePath, refreshed);
      return refreshed;
    }
    return undefined;
  }

  store(relativePath: string, entry: CachedFile): void {
    this.next[relativePath] = entry;
    this.stored.add(relativePath);
  }

  /** Adds entries to the journal of an existing cache without reading it (an incremental run). */
  static append(directory: string, projectRoot: string, entries: [string, CachedFile][]): void {
    if (entries.length === 0) return;
    const key = createHash('sha1').update(path.resolve(projectRoot)).digest('hex').slice(0, 16);
    const file = path.join(directory, `${key}.json`);
    if (!existsSync(file)) return;
    appendFileSync(`${file}.journal`, `${entries.map((entry) => JSON.stringify(entry)).join('\n')}\n`);
  }

  /** Saves the entries seen in this run (deleted files drop out). Atomic: a crash leaves the old cache. */
  save(): void {
    if (this.file === null) return;
    const removed = Object.keys(this.files).filter((relativePath) => !(relativePath in this.next));
    const changes = this.stored.size + removed.length;
    if (changes === 0) return;
    const entries = Object.keys(this.next).length;
    mkdirSync(path.dirname(this.file), { recursive: true });
    if (this.loadedBase && this.journalLines + changes <= Math.max(64, entries * 0.05)) {
      const lines = [...this.stored].map((relativePath) => JSON.stringify([relativePath, this.next[relativePath]]));
      for (const relativePath of removed) lines.push(JSON.stringify([relativePath, null]));
      appendFileSync(this.journal, `${lines.join('\n')}\n`);
      return;
    }
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeDocumentInChunks(temporary, this.next);
    renameSync(temporary, this.file);
    rmSync(this.journal, { force: true });
  }
}
