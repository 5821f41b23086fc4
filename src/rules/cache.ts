/**
 * Per-file facts cache: a file whose mtime and size are unchanged is not read again; one whose
 * content hash is unchanged is not scanned again. Facts never depend on configuration.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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

export function contentHash(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

export class FactsCache {
  private files: Record<string, CachedFile> = {};
  private readonly next: Record<string, CachedFile> = {};
  private changed = false;

  private constructor(private readonly file: string | null) {}

  /** A cache stored in `directory` for the project at `projectRoot`; null directory disables caching. */
  static open(directory: string | null, projectRoot: string): FactsCache {
    if (directory === null) return new FactsCache(null);
    const key = createHash('sha1').update(path.resolve(projectRoot)).digest('hex').slice(0, 16);
    const cache = new FactsCache(path.join(directory, `${key}.json`));
    try {
      if (cache.file && existsSync(cache.file)) {
        const document = JSON.parse(readFileSync(cache.file, 'utf-8')) as CacheDocument;
        if (document.version === CACHE_FORMAT) cache.files = document.files;
      }
    } catch {
      // A corrupt cache is only a slower run.
      cache.files = {};
    }
    return cache;
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
    this.changed = true;
  }

  /** Writes the entries seen in this run (deleted files drop out). Atomic: a crash leaves the old cache. */
  save(): void {
    if (this.file === null) return;
    if (!this.changed && Object.keys(this.next).length === Object.keys(this.files).length) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    const document: CacheDocument = { version: CACHE_FORMAT, files: this.next };
    writeFileSync(temporary, JSON.stringify(document));
    renameSync(temporary, this.file);
  }
}
