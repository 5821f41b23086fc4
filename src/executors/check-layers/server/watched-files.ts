/**
 * A project's Python files kept current by the kernel's change notifications (one `fs.watch`
 * per listed folder), so a check in the server neither lists folders nor stats unchanged files.
 * Anything it cannot place exactly (a new or vanished module, a folder event, a lost watch)
 * makes the next check list and stat everything again, as a fresh process would.
 */
import { FSWatcher, lstatSync, watch } from 'node:fs';
import * as path from 'node:path';
import type { LayeredConfig } from '../../../checker/config';
import { pathGlobToRegExp } from '../../../checker/layers';
import { findProjectFiles, ListedFolder, ProjectFiles, skippedByDiscovery, statFile } from '../../../checker/discover';

/** New folders found while starting watches: list again, at most this often, before giving up on watching. */
const MAX_SETTLE_ROUNDS = 4;
/**
 * The kernel drops notifications beyond its queue (fs.inotify.max_queued_events, 16,384 by
 * default) without Node saying so. Events are read as soon as the loop is free, so a dropped
 * one implies a full queue read since the last listing: that many events mean "list again".
 */
const EVENTS_BEFORE_RELISTING = 4096;

export class WatchedFiles {
  private found: ProjectFiles | null = null;
  private excludeKey: string | null = null;
  private exclude: RegExp[] = [];
  private readonly indexOf = new Map<string, number>();
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly changed = new Set<number>();
  private stale = true;
  /** A watch could not be set up: every check lists and stats everything. */
  private unwatched = false;
  /** What the watcher saved or could not save, for tests and the benchmark. */
  readonly counts = { listings: 0, restats: 0 };

  private events = 0;

  constructor(
    private readonly root: string,
    private readonly eventsBeforeRelisting = EVENTS_BEFORE_RELISTING,
  ) {}

  /** The files as they are on disk now (given that pending notifications have been delivered). */
  current(config: LayeredConfig): ProjectFiles {
    const key = JSON.stringify(config.exclude);
    if (key !== this.excludeKey) {
      this.excludeKey = key;
      this.exclude = config.exclude.map(pathGlobToRegExp);
      this.stale = true;
    }
    if (this.stale || this.unwatched || this.found === null) this.list(config);
    else if (this.changed.size > 0) {
      const found = this.found;
      const stats = [...found.stats];
      for (const index of this.changed) stats[index] = statFile(found.files[index]);
      this.counts.restats += this.changed.size;
      this.found = { ...found, stats };
    }
    this.changed.clear();
    return this.found as ProjectFiles;
  }

  close(): void {
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  // Watches start after a folder is listed; a folder that is new to the watch set is listed again
  // once it is watched, so nothing that changed in between is missed.
  private list(config: LayeredConfig): void {
    for (let round = 0; round < MAX_SETTLE_ROUNDS; round++) {
      this.stale = false;
      this.events = 0;
      this.changed.clear();
      const found = findProjectFiles(this.root, config);
      this.counts.listings++;
      this.found = found;
      this.indexOf.clear();
      found.files.forEach((file, index) => this.indexOf.set(file.absolute, index));
      if (!this.watch(found.folders) && !this.stale) return;
    }
    this.unwatched = true;
    this.close();
  }

  /** Watches exactly `folders`; true when some were not watched before. */
  private watch(folders: ListedFolder[]): boolean {
    const wanted = new Map(folders.map((folder) => [folder.absolute, folder]));
    for (const [absolute, watcher] of this.watchers) {
      if (wanted.has(absolute)) continue;
      watcher.close();
      this.watchers.delete(absolute);
    }
    let added = false;
    for (const folder of folders) {
      if (this.watchers.has(folder.absolute)) continue;
      try {
        const watcher = watch(folder.absolute, { persistent: false }, (event, name) => this.onEvent(folder, event, name));
        watcher.on('error', () => {
          this.watchers.delete(folder.absolute);
          watcher.close();
          this.stale = true;
        });
        this.watchers.set(folder.absolute, watcher);
        added = true;
      } catch {
        // Out of watches (ENOSPC) or the folder went away: fall back to listing on every check.
        this.unwatched = true;
        return false;
      }
    }
    return added;
  }

  private onEvent(folder: ListedFolder, event: string, name: string | Buffer | null): void {
    if (this.stale) return;
    if (name === null || ++this.events >= this.eventsBeforeRelisting) {
      this.stale = true;
      return;
    }
    const fileName = name.toString();
    const absolute = folder.absolute + path.sep + fileName;
    const index = this.indexOf.get(absolute);
    if (index !== undefined) {
      // A rename on a known module is an atomic save when a regular file is there now.
      if (event === 'change' || isRegularFile(absolute)) this.changed.add(index);
      else this.stale = true;
      return;
    }
    if (this.watchers.has(absolute)) {
      this.stale = true;
      return;
    }
    const relative = folder.relative ? `${folder.relative}/${fileName}` : fileName;
    if (skippedByDiscovery(relative, this.exclude)) return;
    if (fileName.endsWith('.py') || (this.found?.notes.some((note) => note.startsWith(`${relative}:`)) ?? false)) {
      this.stale = true;
      return;
    }
    // Other names matter only when they are (or point to) folders.
    try {
      const entry = lstatSync(absolute);
      if (entry.isDirectory() || entry.isSymbolicLink()) this.stale = true;
    } catch {
      // gone, and it was neither a module nor a folder we listed
    }
  }
}

function isRegularFile(file: string): boolean {
  try {
    return lstatSync(file).isFile();
  } catch {
    return false;
  }
}
