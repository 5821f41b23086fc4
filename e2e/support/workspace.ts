import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { inject } from 'vitest';
import { E2E_TMP } from './paths';
import { run, runOrThrow, RunOptions, RunResult } from './process';

export interface Workspace {
  root: string;
  /** Runs the workspace's own nx CLI (never the daemon, never Nx Cloud). */
  nx(args: string[], options?: RunOptions): Promise<RunResult>;
  read(relativePath: string): string;
  write(relativePath: string, text: string): void;
  /** `git status --porcelain` of the workspace: empty when nothing changed since the last commit. */
  changes(): Promise<string>;
  commit(message: string): Promise<void>;
  remove(): void;
}

export const NX_ENV = {
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  NX_INTERACTIVE: 'false',
  NX_SKIP_NX_CACHE: undefined,
  NO_COLOR: '1',
  FORCE_COLOR: '0',
};

/**
 * A fresh Nx workspace in a temporary folder, copied from the one global setup installed
 * (nx from npm and the plugin from its packed tarball), with a first git commit.
 */
export async function createWorkspace(name = 'ws'): Promise<Workspace> {
  mkdirSync(E2E_TMP, { recursive: true });
  const root = mkdtempSync(path.join(E2E_TMP, `${name}-`));
  cpSync(inject('seedWorkspace'), root, { recursive: true, verbatimSymlinks: true });
  const git = (args: string[]) => runOrThrow('git', args, { cwd: root });
  await git(['init', '-q', '-b', 'main']);
  await git(['add', '-A']);
  await git(['-c', 'user.name=e2e', '-c', 'user.email=e2e@localhost', 'commit', '-qm', 'fresh workspace']);
  return {
    root,
    nx: (args, options = {}) =>
      run(process.execPath, [path.join(root, 'node_modules/nx/dist/bin/nx.js'), ...args], {
        ...options,
        cwd: options.cwd ?? root,
        env: { ...process.env, ...NX_ENV, ...options.env },
      }),
    read: (relativePath) => readFileSync(path.join(root, relativePath), 'utf-8'),
    write: (relativePath, text) => {
      mkdirSync(path.dirname(path.join(root, relativePath)), { recursive: true });
      writeFileSync(path.join(root, relativePath), text);
    },
    changes: async () => (await git(['status', '--porcelain', '--untracked-files=all'])).stdout,
    commit: async (message) => {
      await git(['add', '-A']);
      await git(['-c', 'user.name=e2e', '-c', 'user.email=e2e@localhost', 'commit', '-qm', message, '--allow-empty']);
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
