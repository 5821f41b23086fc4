import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findOnPath } from '../executors/python/resolve-python';
import { CPythonJudge, findJudgePython } from './cpython';

const workspace = mkdtempSync(path.join(tmpdir(), 'layered-judge-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

function executable(file: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, 0o755);
  return file;
}

describe('findJudgePython', () => {
  const bin = path.join(workspace, 'bin');
  const onPath = executable(path.join(bin, 'python3'));

  it('prefers LAYERED_PYTHON, then the project .venv, then python3 on PATH, else none', () => {
    const lookup = { workspaceRoot: workspace, projectRoot: 'apps/api', env: { PATH: bin } };
    expect(findJudgePython({ ...lookup, env: { PATH: '' } })).toBeNull();
    expect(findJudgePython(lookup)).toBe(onPath);
    const venv = executable(path.join(workspace, 'apps/api/.venv/bin/python'));
    expect(findJudgePython(lookup)).toBe(venv);
    const configured = executable(path.join(workspace, 'tools/python'));
    expect(findJudgePython({ ...lookup, env: { PATH: bin, LAYERED_PYTHON: 'tools/python' } })).toBe(configured);
    // A LAYERED_PYTHON that is not there does not stop the check: the next interpreter judges.
    expect(findJudgePython({ ...lookup, env: { PATH: bin, LAYERED_PYTHON: 'missing/python' } })).toBe(venv);
  });
});

describe('CPythonJudge', () => {
  it('answers per file: text and encoding when valid, CPython line and message when not', async () => {
    const judge = CPythonJudge.start(findOnPath('python3', process.env)!);
    try {
      const [valid, nul, latin1] = await judge.judge([
        { path: 'a.py', bytes: Buffer.from('\ufeffx = 1\n') },
        { path: 'b.py', bytes: Buffer.from('x = 1\ny = 2\x00\n') },
        { path: 'c.py', bytes: Buffer.concat([Buffer.from('# coding: latin-1\nx = "'), Buffer.from([0xe9]), Buffer.from('"\n')]) },
      ]);
      expect(valid).toMatchObject({ ok: true, encoding: 'utf-8-sig', text: 'x = 1\n' });
      expect(nul).toMatchObject({ ok: false, line: 2 });
      expect(latin1).toMatchObject({ ok: true, encoding: 'iso-8859-1', text: '# coding: latin-1\nx = "\u00e9"\n' });
      // Edited text goes back in its input's encoding, BOM included.
      const [encoded, unencodable] = await judge.judge([
        { path: 'a.py', text: 'x = 1\ny = 2\n', encoding: 'utf-8-sig' },
        { path: 'c.py', text: 'x = "\u20ac"\n', encoding: 'iso-8859-1' },
      ]);
      expect(encoded).toMatchObject({ ok: true, bytes: Buffer.from('\ufeffx = 1\ny = 2\n') });
      expect(unencodable).toMatchObject({ ok: false, kind: 'UnicodeEncodeError' });
      expect(judge.version).toMatch(/^3\.\d+/);
    } finally {
      judge.close();
    }
  });

  it('rejects requests once the interpreter cannot run', async () => {
    const judge = CPythonJudge.start(path.join(workspace, 'no-such-python'));
    await expect(judge.judge([{ path: 'a.py', bytes: Buffer.from('x = 1\n') }])).rejects.toThrow();
  });
});
