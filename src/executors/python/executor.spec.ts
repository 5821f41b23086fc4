import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { executorContext } from '../test-utils/context';
import { afterEach, describe, expect, it, vi } from 'vitest';
import pythonExecutor from './executor';
import { NoPythonError, resolvePythonCommand } from './resolve-python';

const roots: string[] = [];
afterEach(() => {
  roots.splice(0).forEach((root) => rmSync(root, { recursive: true, force: true }));
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** A workspace with apps/api/src, and a bin folder for fake executables. */
function workspace(): { root: string; bin: string; record: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'layered-python-'));
  roots.push(root);
  mkdirSync(path.join(root, 'apps/api/src/api'), { recursive: true });
  mkdirSync(path.join(root, 'bin'));
  return { root, bin: path.join(root, 'bin'), record: path.join(root, 'record.txt') };
}

// Records how it was called, then exits with $FAKE_EXIT.
function fakeExecutable(file: string, record: string): void {
  writeFileSync(file, `#!/bin/sh\n{ echo "argv:$0 $*"; echo "cwd:$(pwd)"; echo "pythonpath:$PYTHONPATH"; } > '${record}'\nexit \${FAKE_EXIT:-0}\n`);
  chmodSync(file, 0o755);
}

function contextFor(root: string): ExecutorContext {
  return executorContext(root, 'apps/api');
}

function captureStderr(): () => string {
  const err: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
  return () => err.join('');
}

describe('resolvePythonCommand', () => {
  const base = { module: 'pytest', projectName: 'api', projectRoot: 'apps/api' };

  it('runs through uv run in the project when uv is on PATH', () => {
    const { root, bin, record } = workspace();
    fakeExecutable(path.join(bin, 'uv'), record);
    const command = resolvePythonCommand({ ...base, workspaceRoot: root, env: { PATH: `/nonexistent:${bin}` } });
    expect(command).toEqual({ command: path.join(bin, 'uv'), args: ['run', '--project', path.join(root, 'apps/api'), 'python', '-m', 'pytest'], via: 'uv' });
  });

  it('prefers LAYERED_PYTHON, read relative to the workspace root', () => {
    const { root, bin, record } = workspace();
    fakeExecutable(path.join(bin, 'uv'), record);
    mkdirSync(path.join(root, 'apps/api/.venv/bin'), { recursive: true });
    fakeExecutable(path.join(root, 'apps/api/.venv/bin/python'), record);
    const command = resolvePythonCommand({ ...base, workspaceRoot: root, env: { PATH: bin, LAYERED_PYTHON: 'apps/api/.venv/bin/python' } });
    expect(command).toEqual({ command: path.join(root, 'apps/api/.venv/bin/python'), args: ['-m', 'pytest'], via: 'LAYERED_PYTHON' });
  });

  it('looks a bare LAYERED_PYTHON name up on PATH', () => {
    const { root, bin, record } = workspace();
    fakeExecutable(path.join(bin, 'python3.11'), record);
    expect(resolvePythonCommand({ ...base, workspaceRoot: root, env: { PATH: bin, LAYERED_PYTHON: 'python3.11' } }).command).toBe(path.join(bin, 'python3.11'));
  });

  it('names both fixes, on one line, when there is neither uv nor LAYERED_PYTHON', () => {
    const { root, bin } = workspace();
    const attempt = () => resolvePythonCommand({ ...base, workspaceRoot: root, env: { PATH: bin } });
    expect(attempt).toThrow(NoPythonError);
    expect(attempt).toThrow(/^No Python to run pytest for api: install uv .*, or set LAYERED_PYTHON .*apps\/api\/\.venv\/bin\/python.*\.env/);
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('refuses a LAYERED_PYTHON that is not an executable file, naming the path it looked at', () => {
    const { root, bin, record } = workspace();
    fakeExecutable(path.join(bin, 'uv'), record);
    writeFileSync(path.join(root, 'not-executable'), '');
    for (const value of ['apps/api/.venv/bin/python', './not-executable', 'apps/api']) {
      expect(() => resolvePythonCommand({ ...base, workspaceRoot: root, env: { PATH: bin, LAYERED_PYTHON: value } })).toThrow(
        `LAYERED_PYTHON=${value} is not an executable file (${path.join(root, value)})`,
      );
    }
    expect(() => resolvePythonCommand({ ...base, workspaceRoot: root, env: { PATH: bin, LAYERED_PYTHON: 'python9' } })).toThrow('LAYERED_PYTHON=python9 is not an executable file on PATH');
  });
});

describe('python executor', () => {
  it('runs the module in the project root with its arguments, those after --, and src on PYTHONPATH', async () => {
    const { root, bin, record } = workspace();
    fakeExecutable(path.join(bin, 'python'), record);
    vi.stubEnv('LAYERED_PYTHON', path.join(bin, 'python'));
    vi.stubEnv('PYTHONPATH', '/elsewhere');
    const result = await pythonExecutor({ module: 'alembic', args: ['downgrade'], passThrough: ['base'] }, contextFor(root));
    expect(result).toEqual({ success: true });
    expect(readFileSync(record, 'utf-8').split('\n')).toEqual([
      `argv:${path.join(bin, 'python')} -m alembic downgrade base`,
      `cwd:${path.join(root, 'apps/api')}`,
      `pythonpath:${path.join(root, 'apps/api/src')}:/elsewhere`,
      '',
    ]);
  });

  it('fails when the module exits non-zero', async () => {
    const { root, bin, record } = workspace();
    fakeExecutable(path.join(bin, 'python'), record);
    vi.stubEnv('LAYERED_PYTHON', path.join(bin, 'python'));
    vi.stubEnv('FAKE_EXIT', '3');
    expect(await pythonExecutor({ module: 'pytest' }, contextFor(root))).toEqual({ success: false });
  });

  it('prints the one-line message and fails, running nothing, without uv or LAYERED_PYTHON', async () => {
    const { root, bin } = workspace();
    vi.stubEnv('LAYERED_PYTHON', '');
    vi.stubEnv('PATH', bin);
    const stderr = captureStderr();
    expect(await pythonExecutor({ module: 'mypy' }, contextFor(root))).toEqual({ success: false });
    expect(stderr()).toMatch(/^No Python to run mypy for api: install uv .* or set LAYERED_PYTHON .*\n$/);
    expect(stderr().trim().split('\n')).toHaveLength(1);
  });

  it('passes SIGTERM on to the module and fails', async () => {
    const { root, bin } = workspace();
    const python = path.join(bin, 'python');
    const started = path.join(root, 'started');
    writeFileSync(python, `#!/bin/sh\ntouch '${started}'\nexec sleep 30\n`);
    chmodSync(python, 0o755);
    vi.stubEnv('LAYERED_PYTHON', python);
    const running = pythonExecutor({ module: 'uvicorn' }, contextFor(root));
    for (let i = 0; i < 100 && !existsSyncSafe(started); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const listeners = process.listeners('SIGTERM');
    const forward = listeners[listeners.length - 1] as (signal: NodeJS.Signals) => void;
    const startedAt = Date.now();
    forward('SIGTERM');
    expect(await running).toEqual({ success: false });
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(process.listeners('SIGTERM')).not.toContain(forward);
  });
});

function existsSyncSafe(file: string): boolean {
  try {
    readFileSync(file);
    return true;
  } catch {
    return false;
  }
}
