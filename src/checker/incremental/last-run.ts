/**
 * What the checker keeps of its last run, and the one place that decides how much of it a new
 * run may reuse: the whole result when no file changed (by path, mtime and size), else the
 * per-file state plus a rescan of the changed files, else nothing (a full check, whose state it
 * then stores). Every answer is the one a full check gives.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { LayeredConfig } from '../config';
import type { ProjectFiles } from '../discover';
import type { CollectedFindings, ProjectFindings } from '../report';
import { IncompleteClassModel } from '../rules/helpers';
import { severityOf } from '../run-rules';
import { FACTS_VERSION } from '../scan/facts';
import { layeredVersion } from '../version';
import { recheckChanged } from './recheck';
import { ResultCache } from './result-cache';
import { MAX_DELTAS, NeedFullCheck, STATE_FORMAT, StoredState, stateFile } from './stored-state';
import { FullCheck, writeFullState } from './write-state';

/** More changed files than this: a full check (with its parallel scan) is as quick. */
const MAX_CHANGED = 256;

/** How many checks were answered incrementally in this process, and the state journal's length after the last one. */
export const incrementalRuns = { count: 0, deltas: 0 };

export class LastRun {
  private baseOfState: string | undefined;

  private constructor(
    private readonly projectRoot: string,
    private readonly config: LayeredConfig,
    private readonly found: ProjectFiles,
    /** Null when nothing is kept between runs. */
    private readonly directory: string | null,
    /** Check in full and store anew, whatever is kept. */
    private readonly rewrite: boolean,
    private readonly pyproject: string,
    private readonly pathsDigest: string,
    private readonly results: ResultCache<ProjectFindings>,
    private readonly signature: string,
  ) {}

  static open(projectRoot: string, config: LayeredConfig, found: ProjectFiles, directory: string | null, rewrite: boolean): LastRun {
    const pyproject = readFileSync(path.join(projectRoot, 'pyproject.toml'), 'utf-8');
    const digests = filesSignature(found);
    const signature = createHash('sha1').update(`${layeredVersion()}\u0000${FACTS_VERSION}\u0000${pyproject}\u0000${digests.stats}`).digest('hex');
    return new LastRun(projectRoot, config, found, directory, rewrite, pyproject, digests.paths, ResultCache.open<ProjectFindings>(directory, projectRoot), signature);
  }

  /** Whether full checks store their state for incremental runs (there is a cache directory). */
  get keepsState(): boolean {
    return this.directory !== null;
  }

  /** The last run's result when neither the configuration nor any file's path, mtime or size changed. */
  unchangedResult(): ProjectFindings | undefined {
    if (this.rewrite) return undefined;
    const result = this.results.read(this.signature);
    if (result !== undefined) result.stats = { ...result.stats, scanned: 0, fromCache: result.stats.files };
    return result;
  }

  /**
   * The findings of the project from the stored state and a rescan of the files changed since;
   * undefined when that cannot give the exact result of a full check.
   */
  findingsOfChangedFiles(): CollectedFindings | undefined {
    const { found, config } = this;
    if (this.directory === null || this.rewrite || found.stats.some((stat) => 'problem' in stat)) return undefined;
    // Chains run through the whole import graph: any edit may make or break one far away.
    if (config.chains && severityOf(config, 'LAY017', 'error') !== 'off') return undefined;
    const state = StoredState.read(stateFile(this.directory, this.projectRoot));
    if (!state || state.header.base !== this.stateBase() || state.count !== found.files.length || state.deltas >= MAX_DELTAS) return undefined;
    const changed = changedFiles(found, state);
    if (changed === undefined) return undefined;
    try {
      const collected = recheckChanged(this.projectRoot, config, found, state, changed);
      incrementalRuns.count++;
      incrementalRuns.deltas = state.deltas + (changed.length > 0 ? 1 : 0);
      return collected;
    } catch (error) {
      if (error instanceof NeedFullCheck || error instanceof IncompleteClassModel) return undefined;
      throw error;
    } finally {
      state.close();
    }
  }

  /** Stores what later incremental runs need of a full check. */
  saveState(full: FullCheck): void {
    if (this.directory !== null) writeFullState(this.directory, this.stateBase(), full);
  }

  saveResult(result: ProjectFindings): void {
    this.results.write(this.signature, result);
  }

  /** Everything the state depends on besides the files' contents. */
  private stateBase(): string {
    if (this.baseOfState === undefined) {
      const hash = createHash('sha1').update(`${STATE_FORMAT}\u0000${layeredVersion()}\u0000${this.pyproject}\u0000${JSON.stringify(this.config)}\u0000${this.pathsDigest}\u0000`);
      for (const note of this.found.notes) hash.update(`${note}\n`);
      this.baseOfState = hash.digest('hex');
    }
    return this.baseOfState;
  }
}

/** Indexes of the files whose mtime or size differ from the state's; undefined when there are too many. */
function changedFiles(found: ProjectFiles, state: StoredState): number[] | undefined {
  const changed: number[] = [];
  for (let index = 0; index < found.files.length; index++) {
    const stat = (found.stats[index] as { stat: { mtimeMs: number; size: number } }).stat;
    if (stat.mtimeMs !== state.mtime(index) || stat.size !== state.size(index)) {
      changed.push(index);
      if (changed.length > MAX_CHANGED) return undefined;
    }
  }
  return changed;
}

/** Digest of the list of files (paths only), and one that also changes whenever a file is touched or resized. */
function filesSignature(found: ProjectFiles): { paths: string; stats: string } {
  const paths = createHash('sha1').update(found.files.map((file) => file.relative).join('\u0000')).digest('hex');
  const numbers = new Float64Array(found.files.length * 2);
  const hash = createHash('sha1').update(paths);
  found.stats.forEach((stated, index) => {
    if ('stat' in stated) {
      numbers[index * 2] = stated.stat.mtimeMs;
      numbers[index * 2 + 1] = stated.stat.size;
    } else {
      numbers[index * 2] = Number.NaN;
      hash.update(`${index}\u0000${stated.problem}\n`);
    }
  });
  hash.update(new Uint8Array(numbers.buffer));
  for (const note of found.notes) hash.update(`${note}\n`);
  return { paths, stats: hash.digest('hex') };
}
