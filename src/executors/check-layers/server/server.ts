/**
 * The check server of one project: a long-lived process that answers `check-layers --daemon`
 * runs. It saves what a fresh process pays on every run (starting Node, loading the checker,
 * listing folders, stating every file) and answers exactly what `runCheckLayers` would print.
 * It exits when idle, when asked, or when a client of another layered build calls.
 *
 * usage: node server.js <projectRoot> <cacheDirectory> <socketPath> <buildId>
 */
import { appendFileSync, unlinkSync } from 'node:fs';
import { connect, createServer, Server, Socket } from 'node:net';
import * as path from 'node:path';
import { checkProject } from '../../../checker/check';
import { incrementalRuns } from '../../../checker/incremental/last-run';
import { MAX_DELTAS } from '../../../checker/incremental/stored-state';
import { runCheckLayers } from '../run';
import type { Request, Response, RunRequest } from './protocol';
import { WatchedFiles } from './watched-files';

/** Journal length at which the server rewrites the incremental state between requests. */
const REWRITE_STATE_AT = Math.floor(MAX_DELTAS * 0.75);
/** Idle time after which the server exits; LAYERED_DAEMON_IDLE_SECONDS overrides it. */
const IDLE_MS = Number(process.env.LAYERED_DAEMON_IDLE_SECONDS ?? 3 * 60 * 60) * 1000;

function answer(socket: Socket, response: Response): void {
  socket.end(`${JSON.stringify(response)}\n`);
}

/** Reads one newline-terminated JSON request from a connection. */
function readRequest(socket: Socket, handle: (request: Request, socket: Socket) => void): void {
  let text = '';
  socket.setEncoding('utf-8');
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: string) => {
    text += chunk;
    const end = text.indexOf('\n');
    if (end < 0) return;
    socket.removeAllListeners('data');
    let request: Request;
    try {
      request = JSON.parse(text.slice(0, end)) as Request;
    } catch {
      answer(socket, { failed: 'the request is not JSON' });
      return;
    }
    // Change notifications already pending when the request arrived are delivered in this same
    // poll phase; the check runs after them.
    setImmediate(() => handle(request, socket));
  });
}

export interface CheckServer {
  server: Server;
  files: WatchedFiles;
  /** How often the state was rewritten between requests. */
  stateRewrites(): number;
  /** Resolves once the server listens (false: another live server owns the socket). */
  ready: Promise<boolean>;
  stop(): void;
}

export function startServer(projectRoot: string, cacheDirectory: string, socketPath: string, build: string): CheckServer {
  const files = new WatchedFiles(projectRoot);
  let idle: NodeJS.Timeout | undefined;
  let listening = false;
  let answered = 0;

  const run = (request: RunRequest) => runCheckLayers({ ...request, projectRoot, cacheDirectory, files: (config) => files.current(config) });

  const handle = (request: Request, socket: Socket): void => {
    resetIdle();
    if (request.build !== build) {
      // The client belongs to another layered build: free the socket for a server of that build.
      stop();
      answer(socket, { restart: true });
      return;
    }
    if (request.projectRoot !== projectRoot || request.cacheDirectory !== cacheDirectory) {
      answer(socket, { failed: `this server checks ${projectRoot} (cache ${cacheDirectory})` });
      return;
    }
    if ('stop' in request) {
      stop();
      answer(socket, { stopped: true, answered });
      return;
    }
    try {
      const outcome = run(request.run);
      answered++;
      answer(socket, { exitCode: outcome.exitCode, stdout: outcome.stdout, stderr: outcome.stderr });
    } catch (error) {
      // The client runs the check itself, so the user sees the real error.
      answer(socket, { failed: (error as Error).stack ?? String(error) });
    }
    if (incrementalRuns.deltas >= REWRITE_STATE_AT) setImmediate(rewriteState);
  };

  // A long state journal makes some check run in full; the server does that between requests instead.
  const rewriteState = (): void => {
    if (incrementalRuns.deltas < REWRITE_STATE_AT) return;
    incrementalRuns.deltas = 0;
    try {
      checkProject(projectRoot, { cacheDirectory, files: (config) => files.current(config), rewriteState: true });
      stateRewrites++;
    } catch {
      // the next request reports whatever is wrong
    }
  };
  let stateRewrites = 0;

  const server = createServer((socket) => readRequest(socket, handle));
  const stop = (): void => {
    clearTimeout(idle);
    files.close();
    if (listening) {
      listening = false;
      server.close();
      try {
        unlinkSync(socketPath);
      } catch {
        // already gone
      }
    }
  };
  const resetIdle = (): void => {
    clearTimeout(idle);
    idle = setTimeout(stop, IDLE_MS);
  };

  const ready = new Promise<boolean>((resolve) => {
    const listen = (retry: boolean): void => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EADDRINUSE' || !retry) return resolve(false);
        // A socket file is there: a live server keeps it, a dead one's file is removed.
        const probe = connect(socketPath);
        probe.once('connect', () => {
          probe.destroy();
          resolve(false);
        });
        probe.once('error', () => {
          try {
            unlinkSync(socketPath);
          } catch {
            // someone else removed it
          }
          listen(false);
        });
      });
      server.listen(socketPath, () => {
        listening = true;
        resetIdle();
        resolve(true);
      });
    };
    // Warm up first (list, watch, check once), so the first client is answered fast.
    try {
      run({ format: 'json', color: false, pathPrefix: '' });
    } catch {
      // a broken configuration is reported to the client that asks
    }
    listen(true);
  });
  return { server, files, ready, stop, stateRewrites: () => stateRewrites };
}

if (require.main === module) {
  const [projectRoot, cacheDirectory, socketPath, build] = process.argv.slice(2);
  // Its output goes nowhere: a crash is written next to the cache, and the next run starts a new server.
  process.on('uncaughtException', (error) => {
    try {
      appendFileSync(path.join(cacheDirectory, 'check-server.log'), `${new Date().toISOString()} ${error.stack ?? String(error)}\n`);
    } finally {
      process.exit(70);
    }
  });
  const checkServer = startServer(path.resolve(projectRoot), path.resolve(cacheDirectory), socketPath, build);
  void checkServer.ready.then((listening) => {
    if (!listening) process.exit(0);
  });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => {
    checkServer.stop();
    process.exit(0);
  });
}
