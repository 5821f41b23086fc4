import { ChildProcess, spawn } from 'node:child_process';
import { freePort } from './process';

export interface RunningServer {
  baseUrl: string;
  output(): string;
  stop(): Promise<void>;
}

function stopGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
  });
}

/**
 * Starts `python -m uvicorn <app> --factory` on a free loopback port and waits until
 * GET /health answers (any status). Rejects with the server's output if it exits first.
 */
export async function startUvicorn(python: string, cwd: string, app: string, env: NodeJS.ProcessEnv = {}): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(python, ['-m', 'uvicorn', app, '--factory', '--app-dir', 'src', '--host', '127.0.0.1', '--port', String(port)], {
    cwd,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let spawnError: Error | undefined;
  child.on('error', (error) => (spawnError = error));
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (spawnError) throw new Error(`uvicorn could not start in ${cwd}: ${spawnError.message}`);
    if (child.exitCode !== null) throw new Error(`uvicorn exited with ${child.exitCode} before serving:\n${output}`);
    try {
      await fetch(`${baseUrl}/health`);
      break;
    } catch {
      if (Date.now() > deadline) {
        await stopGroup(child);
        throw new Error(`uvicorn did not answer on ${baseUrl} within 60 s:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return { baseUrl, output: () => output, stop: () => stopGroup(child) };
}

/** Runs uvicorn expecting it to fail at startup; resolves with its exit code and output. */
export function uvicornStartupFailure(python: string, cwd: string, app: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(python, ['-m', 'uvicorn', app, '--factory', '--app-dir', 'src', '--port', '0'], {
      cwd,
      env: { ...process.env, ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
    const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: 127, output: `${output}\n${String(error)}` });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output });
    });
  });
}
