import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { executorContext } from '../test-utils/context';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FIXTURES, fixtureProject } from '../../checker/test-utils/fixtures';
import { main } from './cli';
import checkLayersExecutor from './executor';

const roots: string[] = [];
afterEach(() => {
  roots.splice(0).forEach((root) => rmSync(root, { recursive: true, force: true }));
  vi.restoreAllMocks();
});

function captureOutput(): { stdout: () => string; stderr: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
  return { stdout: () => out.join(''), stderr: () => err.join('') };
}

// The fixture project plays a workspace whose project lives at its root.
function contextFor(root: string): ExecutorContext {
  return executorContext(root, '.');
}

describe('check-layers executor', () => {
  it('succeeds on a clean project and writes the report and graph files', async () => {
    const root = fixtureProject();
    roots.push(root);
    const output = captureOutput();
    const result = await checkLayersExecutor({ outputFile: '{projectRoot}/.layered/report.sarif', graph: 'out/layers.mmd' }, contextFor(root));
    expect(result).toEqual({ success: true });
    expect(output.stdout()).toContain('no findings');
    expect(JSON.parse(readFileSync(path.join(root, '.layered/report.sarif'), 'utf-8')).runs[0].results).toEqual([]);
    expect(readFileSync(path.join(root, 'out/layers.mmd'), 'utf-8')).toContain('flowchart TD');
    expect(existsSync(path.join(root, '.layered/cache'))).toBe(true);
  });

  it('fails on findings', async () => {
    const root = fixtureProject(path.join(FIXTURES, 'violations', 'LAY007'));
    roots.push(root);
    const output = captureOutput();
    expect(await checkLayersExecutor({ format: 'github', cache: false }, contextFor(root))).toEqual({ success: false });
    expect(output.stdout()).toMatch(/^::error file=src\/api\/http\/routes\/admin.py,line=3,col=1/);
    expect(existsSync(path.join(root, '.layered/cache'))).toBe(false);
  });
});

describe('check-layers command line', () => {
  it('exits 0 clean, 1 on findings, 2 on bad config or usage', async () => {
    const clean = fixtureProject();
    const dirty = fixtureProject(path.join(FIXTURES, 'violations', 'LAY003'));
    const broken = fixtureProject();
    roots.push(clean, dirty, broken);
    require('node:fs').appendFileSync(path.join(broken, 'pyproject.toml'), 'severity = { LAY003 = "loud" }\n');
    const output = captureOutput();
    expect(await main([clean, '--no-cache'])).toBe(0);
    expect(await main([dirty, '--no-cache', '--format', 'json'])).toBe(1);
    expect(JSON.parse(output.stdout().slice(output.stdout().indexOf('{'))).findings[0].rule).toBe('LAY003');
    expect(await main([broken, '--no-cache'])).toBe(2);
    expect(output.stderr()).toContain('tool.layered.severity.LAY003: expected "error", "warning" or "off".');
    expect(await main([clean, '--format', 'xml'])).toBe(2);
    expect(await main([clean, '--bogus'])).toBe(2);
  });
});
