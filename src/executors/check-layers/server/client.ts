/**
 * The client side of `--daemon`: asks the project's check server, and starts one for next time
 * when there is none. Kept free of the checker's modules so that asking costs almost nothing.
 */
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import * as path from 'node:path';
import type { RunOptions, RunOutcome } from '../run';
import { buildId, Request, Response, SERVER_FILE, socketPathFor } from './protocol';

/** Whether `--daemon` (or the executor's `daemon` option) is honoured in this environment. */
export function daemonWanted(requested: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  const forced = env.LAYERED_DAEMON?.toLowerCase();
  if (forced === '1' || forced === 'true') return true;
  if (forced === '0' || forced === 'false') return false;
  // Like Nx's own daemon: no background processes on CI machines unless forced.
  return requested && !(env.CI && env.CI !== 'false' && env.CI !== '0');
}

function ask(socketPath: string, request: Request): Promise<Response | null> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    let text = '';
    socket.setEncoding('utf-8');
    socket.once('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    const settle = (): void => {
      try {
        resolve(JSON.parse(text) as Response);
      } catch {
        resolve(null);
      }
    };
    socket.on('data', (chunk: string) => {
      text += chunk;
      // The answer is one line: no need to wait for the connection to close.
      if (text.endsWith('\n')) {
        settle();
        socket.destroy();
      }
    });
    socket.once('error', () => resolve(null));
    socket.once('close', settle);
  });
}

function spawnServer(projectRoot: string, cacheDirectory: string, socketPath: string, build: string): void {
  if (!existsSync(SERVER_FILE)) return; // running from sources (tests): there is no server to start
  // Loaded here: only the run that starts a server pays for it.
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  // Baseline-compiled from the first call: the server's first answers come sooner.
  const child = spawn(process.execPath, ['--always-sparkplug', SERVER_FILE, projectRoot, cacheDirectory, socketPath, build], { detached: true, stdio: 'ignore', cwd: '/' });
  child.unref();
}

/**
 * The outcome from the project's check server, or null when there is none that can answer (then
 * one is started for the next run and the caller checks in-process).
 */
export async function checkThroughServer(options: RunOptions): Promise<Pick<RunOutcome, 'exitCode' | 'stdout' | 'stderr'> | null> {
  if (options.cacheDirectory === null) return null;
  const socketPath = socketPathFor(options.projectRoot, options.cacheDirectory);
  if (socketPath === null) return null;
  const build = buildId();
  const { projectRoot, cacheDirectory, files: _files, ...run } = options;
  const response = await ask(socketPath, { build, projectRoot, cacheDirectory, run });
  if (response !== null && 'exitCode' in response) return response;
  if (response === null || 'restart' in response) spawnServer(projectRoot, cacheDirectory, socketPath, build);
  return null;
}

/** Stops the project's check server: how many checks it answered, or null when none was running. */
export async function stopServer(projectRoot: string, cacheDirectory: string): Promise<number | null> {
  const socketPath = socketPathFor(projectRoot, cacheDirectory);
  if (socketPath === null) return null;
  const response = await ask(socketPath, { build: buildId(), projectRoot: path.resolve(projectRoot), cacheDirectory: path.resolve(cacheDirectory), stop: true });
  if (response !== null && 'stopped' in response) return response.answered;
  return response !== null && 'restart' in response ? 0 : null;
}
