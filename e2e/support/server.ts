import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { freePort } from './process';
import { USER_ENV } from './python';
import { NX_ENV } from './workspace';

export interface RunningServer {
  baseUrl: string;
  output(): string;
  stop(): Promise<void>;
}

/** Whether any process of the group led by `pid` is alive. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function stopGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    const pid = child.pid;
    if (pid === undefined || !groupAlive(pid)) return resolve();
    process.kill(-pid, 'SIGTERM');
    const deadline = Date.now() + 15_000;
    const poll = setInterval(() => {
      if (!groupAlive(pid)) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() > deadline) {
        process.kill(-pid, 'SIGKILL');
      }
    }, 100);
  });
}

/** `nx run <project>:serve -- --port N` in its own process group, as a user starts it (uv, no LAYERED_PYTHON). */
function spawnServe(workspaceRoot: string, project: string, port: number, env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  const nx = path.join(workspaceRoot, 'node_modules/nx/dist/bin/nx.js');
  const child = spawn(process.execPath, [nx, 'run', `${project}:serve`, '--', '--port', String(port)], {
    cwd: workspaceRoot,
    env: { ...process.env, ...NX_ENV, ...USER_ENV, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
  return { child, output: () => output };
}

/** Starts the serve target on a free loopback port and waits until GET /health answers (any status). */
export async function startServe(workspaceRoot: string, project: string, env: NodeJS.ProcessEnv = {}): Promise<RunningServer> {
  const port = await freePort();
  const { child, output } = spawnServe(workspaceRoot, project, port, env);
  let spawnError: Error | undefined;
  child.on('error', (error) => (spawnError = error));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (spawnError) throw new Error(`nx run ${project}:serve could not start: ${spawnError.message}`);
    if (child.exitCode !== null) throw new Error(`nx run ${project}:serve exited with ${child.exitCode} before serving:\n${output()}`);
    try {
      await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(5_000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        await stopGroup(child);
        throw new Error(`nx run ${project}:serve did not answer on ${baseUrl} within 120 s:\n${output()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return { baseUrl, output, stop: () => stopGroup(child) };
}

export interface ServeFailure {
  code: number;
  output: string;
  /** Whether any process of the serve's group was still alive after nx exited. */
  leftRunning: boolean;
  /** Whether something answered on the port after nx exited. */
  portAnswered: boolean;
}

/** Runs the serve target expecting it to refuse to start; resolves once nx exits. */
export async function serveFailure(workspaceRoot: string, project: string, env: NodeJS.ProcessEnv): Promise<ServeFailure> {
  const port = await freePort();
  const { child, output } = spawnServe(workspaceRoot, project, port, env);
  const code = await new Promise<number>((resolve) => {
    const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 120_000);
    child.on('error', () => resolve(127));
    child.on('exit', (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode ?? 1);
    });
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const leftRunning = child.pid !== undefined && groupAlive(child.pid);
  let portAnswered = false;
  try {
    await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2_000) });
    portAnswered = true;
  } catch {
    portAnswered = false;
  }
  if (leftRunning && child.pid) process.kill(-child.pid, 'SIGKILL');
  return { code, output: output(), leftRunning, portAnswered };
}
