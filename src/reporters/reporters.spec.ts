import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkProject, CheckResult } from '../checker/check';
import { FIXTURES, fixtureProject } from '../checker/test-utils/fixtures';
import { githubReport } from './github';
import { formatForFile, mermaidGraph, REPORTERS } from './index';
import { jsonReport } from './json';
import { prettyReport } from './pretty';
import { sarifReport } from './sarif';
import type { ReportContext } from './types';

const roots = [fixtureProject(path.join(FIXTURES, 'violations', 'LAY005'), path.join(FIXTURES, 'violations', 'LAY015')), fixtureProject()];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));
const result: CheckResult = checkProject(roots[0], { cacheDirectory: null });
const context: ReportContext = { result, pathPrefix: 'apps/api/', color: false, toolVersion: '1.2.3' };

describe('reporters', () => {
  it('pretty groups by file with path:line:col, rule, message and hint, without colours off a terminal', () => {
    const text = prettyReport(context);
    expect(text).toContain('apps/api/src/api/domain/repositories/audit.py\n  apps/api/src/api/domain/repositories/audit.py:1:1  error    LAY005  `api.domain.repositories.audit`');
    expect(text).toContain('    hint: Keep the repository to queries and mapping');
    expect(text).toContain('warning  LAY015');
    expect(text.trimEnd().split('\n').pop()).toBe('✖ check-layers: 2 errors, 1 warning in 2 files (29 modules checked).');
    expect(text).not.toContain('\u001b[');
    expect(prettyReport({ ...context, color: true })).toContain('\u001b[31merror  \u001b[0m');
  });

  it('pretty says so when there is nothing to report', () => {
    const clean = checkProject(roots[1], { cacheDirectory: null });
    expect(prettyReport({ ...context, result: clean })).toBe('✔ check-layers: no findings (27 modules checked).\n');
  });

  it('json carries findings, summary and graph with relative paths', () => {
    const document = JSON.parse(jsonReport(context));
    expect(document.summary).toEqual({ errors: 2, warnings: 1, baselined: 0, disappeared: 0, modules: 29 });
    expect(document.findings[1]).toMatchObject({ rule: 'LAY005', path: 'apps/api/src/api/domain/repositories/audit.py', line: 1, col: 1 });
    expect(document.graph.find((edge: { from: string; to: string }) => edge.from === 'repositories' && edge.to === 'services').violations).toEqual(['LAY005', 'LAY016']);
  });

  it('sarif 2.1.0 lists every rule and places results by uri, line and column', () => {
    const document = JSON.parse(sarifReport(context));
    expect(document.version).toBe('2.1.0');
    expect(document.$schema).toMatch(/sarif-2.1.0/);
    const run = document.runs[0];
    expect(run.tool.driver.rules.map((rule: { id: string }) => rule.id)).toContain('LAY016');
    expect(run.tool.driver.rules.every((rule: { help: { text: string } }) => rule.help.text.length > 0)).toBe(true);
    const first = run.results[1];
    expect(run.tool.driver.rules[first.ruleIndex].id).toBe(first.ruleId);
    expect(first.level).toBe('error');
    expect(first.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'apps/api/src/api/domain/repositories/audit.py' }, region: { startLine: 1, startColumn: 1 } });
    expect(first.partialFingerprints['layered/v1']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('github annotations escape their data and properties', () => {
    const lines = githubReport(context).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^::error file=apps\/api\/src\/api\/domain\/repositories\/audit.py,line=1,col=1,title=LAY005 Repositories import no services or controllers::`api/);
    expect(lines[1]).toContain('%0A');
    expect(lines.some((line) => line.startsWith('::warning '))).toBe(true);
  });

  it('mermaid marks violating edges', () => {
    const graph = mermaidGraph(context);
    expect(graph.startsWith('flowchart TD\n')).toBe(true);
    expect(graph).toContain('repositories -->|"LAY005, LAY016"| services');
    expect(graph).toMatch(/linkStyle \d+(,\d+)* stroke:#d73a49/);
    expect(graph).toContain('  controllers --> models\n');
  });

  it('is deterministic: the same project gives byte-identical reports', () => {
    const again: ReportContext = { ...context, result: checkProject(roots[0], { cacheDirectory: null }) };
    for (const format of Object.keys(REPORTERS) as (keyof typeof REPORTERS)[]) expect(REPORTERS[format](again)).toBe(REPORTERS[format](context));
    expect(mermaidGraph(again)).toBe(mermaidGraph(context));
  });

  it('reports an import statement with several names once, naming them all, in every format', () => {
    const root = fixtureProject(path.join(FIXTURES, 'violations', 'LAY003'));
    roots.push(root);
    const grouped: ReportContext = { ...context, result: checkProject(root, { cacheDirectory: null }) };
    const names = '`sqlalchemy.func`, `sqlalchemy.select` and `sqlalchemy.text` at line 1';
    for (const format of Object.keys(REPORTERS) as (keyof typeof REPORTERS)[]) {
      const text = REPORTERS[format](grouped);
      expect(text.split(names).length - 1, format).toBe(1);
      expect(text, format).not.toMatch(/imports `sqlalchemy\.(func|select)` at line/);
    }
    expect(mermaidGraph(grouped)).not.toContain('LAY003');
  });

  it('picks the output format from the file name', () => {
    expect(formatForFile('out/report.sarif')).toBe('sarif');
    expect(formatForFile('out/report.json')).toBe('json');
    expect(formatForFile('out/report.txt')).toBe('pretty');
  });
});
