import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planPythonEnvironment } from './python-environment';

const folders: string[] = [];
afterEach(() => folders.splice(0).forEach((folder) => rmSync(folder, { recursive: true, force: true })));

function binWithUv(): string {
  const bin = mkdtempSync(path.join(tmpdir(), 'layered-bin-'));
  folders.push(bin);
  writeFileSync(path.join(bin, 'uv'), '#!/bin/sh\n');
  chmodSync(path.join(bin, 'uv'), 0o755);
  return bin;
}

const options = { projectName: 'api', projectRoot: 'apps/api', skipInstall: false };

describe('planPythonEnvironment', () => {
  it('runs uv sync when uv is on PATH and LAYERED_PYTHON is not set', () => {
    const bin = binWithUv();
    expect(planPythonEnvironment(options, { PATH: bin })).toEqual({ kind: 'uv-sync', uv: path.join(bin, 'uv') });
  });

  it('tells the uv sync command, and the LAYERED_PYTHON route, when uv is missing', () => {
    const plan = planPythonEnvironment(options, { PATH: '/nonexistent' });
    expect(plan.kind).toBe('tell');
    const text = plan.kind === 'tell' ? plan.lines.join('\n') : '';
    expect(text).toContain('uv is not on PATH');
    expect(text).toContain('`cd apps/api && uv sync`');
    expect(text).toContain('LAYERED_PYTHON=apps/api/.venv/bin/python');
  });

  it('installs nothing with --skipInstall, and says so', () => {
    const plan = planPythonEnvironment({ ...options, skipInstall: true }, { PATH: binWithUv() });
    expect(plan.kind === 'tell' && plan.lines[0]).toMatch(/^--skipInstall was given: .*`cd apps\/api && uv sync`/);
  });

  it('leaves a LAYERED_PYTHON environment to its owner', () => {
    const plan = planPythonEnvironment(options, { PATH: binWithUv(), LAYERED_PYTHON: '/opt/venv/bin/python' });
    expect(plan.kind === 'tell' && plan.lines).toEqual([
      'LAYERED_PYTHON is set (/opt/venv/bin/python): the targets of api run with it. Install the dependencies of apps/api/pyproject.toml (with its dev group) into it.',
    ]);
  });
});
