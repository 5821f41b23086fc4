/** Stage 2, read and scan: every file's facts, from the facts cache when unchanged, else scanned. */
import type { ProjectFiles } from '../discover';
import { CachedFile, FactsCache } from './facts-cache';
import { ScanOutcome, scanFiles } from './scan';

export interface FilesRead {
  /** Per file, in discovery order: its facts (or why it has none), or its stat problem. */
  outcomes: ScanOutcome[];
  stats: { files: number; scanned: number; fromCache: number };
  /** Per file: the first 16 hex digits of its content hash ('' when it could not be read). */
  hashes: string[];
}

/** Facts of every file, in order; the files not in the cache are scanned (on worker threads for many files). */
export function readFacts(found: ProjectFiles, cache: FactsCache): FilesRead {
  const stats = { files: found.files.length, scanned: 0, fromCache: 0 };
  const { outcomes, pending } = lookUpCache(found, cache, stats);
  scanPending(found, pending, outcomes, cache, stats);
  cache.save();
  const hashes = outcomes.map((outcome) => ('hash' in outcome ? outcome.hash.slice(0, 16) : ''));
  return { outcomes, stats, hashes };
}

/** Outcomes known without reading the file (a stat problem, or a cache hit by mtime and size), and the files still to scan. */
function lookUpCache(found: ProjectFiles, cache: FactsCache, stats: FilesRead['stats']): { outcomes: ScanOutcome[]; pending: number[] } {
  const outcomes: ScanOutcome[] = new Array(found.files.length);
  const pending: number[] = [];
  found.files.forEach((file, index) => {
    const stated = found.stats[index];
    if ('problem' in stated) outcomes[index] = stated;
    else {
      const cached = cache.lookup(file.relative, stated.stat.mtimeMs, stated.stat.size);
      if (cached) {
        stats.fromCache++;
        outcomes[index] = cached;
      } else pending.push(index);
    }
  });
  return { outcomes, pending };
}

/** Scans the pending files; a file whose content hash the cache knows keeps its cached facts. */
function scanPending(found: ProjectFiles, pending: number[], outcomes: ScanOutcome[], cache: FactsCache, stats: FilesRead['stats']): void {
  const { files } = found;
  const scanned = scanFiles(pending.map((index) => files[index].absolute));
  pending.forEach((index, position) => {
    const outcome = scanned[position];
    if ('problem' in outcome && !('facts' in outcome)) {
      outcomes[index] = outcome;
      return;
    }
    const entry = outcome as CachedFile;
    const same = cache.lookupByHash(files[index].relative, entry.hash, entry.mtimeMs, entry.size);
    if (same) {
      stats.fromCache++;
      outcomes[index] = same;
      return;
    }
    stats.scanned++;
    cache.store(files[index].relative, entry);
    outcomes[index] = entry;
  });
}
