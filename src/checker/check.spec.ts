import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkProject } from './check';
import { ConfigError } from './config';
import { findingLines, FIXTURES, fixtureProject } from './test-utils/fixtures';

const created: string[] = [];
function project(...overlays: string[]): string {
  const root = fixtureProject(...overlays);
  created.push(root);
  return root;
}
function write(root: string, file: string, text: string | Buffer): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}
function setLayered(root: string, table: string): void {
  const text = readFileSync(path.join(root, 'pyproject.toml'), 'utf-8').replace(/\[tool\.layered\][\s\S]*$/, `[tool.layered]\npackage = "api"\n${table}\n`);
  writeFileSync(path.join(root, 'pyproject.toml'), text);
}
const rules = (root: string, options = {}) => checkProject(root, { cacheDirectory: null, ...options }).findings.map((f) => `${f.rule} ${f.path}:${f.line}`);
const SERVICE_WITH_SQL = 'from sqlalchemy import text\n';

afterEach(() => {
  for (const root of created.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('configuration', () => {
  it.each([
    ['excludes = ["x"]', 'tool.layered.excludes'],
    ['severity = { LAY999 = "error" }', 'tool.layered.severity.LAY999'],
    ['severity = { LAY001 = "fatal" }', 'tool.layered.severity.LAY001'],
    ['layers = { service = ["api.services.**"] }', 'tool.layered.layers.service'],
    ['type-checking-imports = "yes"', 'tool.layered.type-checking-imports'],
    ['[[tool.layered.ignore]]\nrule = "LAY003"\npath = "src/**"', 'tool.layered.ignore[0].reason'],
    ['[[tool.layered.ignore]]\nrule = "LAY003"\npath = "src/**"\nreason = "  "', 'tool.layered.ignore[0].reason'],
    ['exclude = "tests"', 'tool.layered.exclude'],
    ['services = "class"', 'tool.layered.services'],
    ['chains = "yes"', 'tool.layered.chains'],
    ['orm-libraries = "sqlalchemy"', 'tool.layered.orm-libraries'],
    ['model-libraries = ["pydantic.BaseModel"]', 'tool.layered.model-libraries'],
  ])('rejects %s naming %s', (table, key) => {
    const root = project();
    setLayered(root, table);
    expect(() => checkProject(root, { cacheDirectory: null })).toThrowError(ConfigError);
    try {
      checkProject(root, { cacheDirectory: null });
    } catch (error) {
      expect((error as ConfigError).key).toBe(key);
    }
  });

  it('rejects invalid TOML and a missing table', () => {
    const root = project();
    writeFileSync(path.join(root, 'pyproject.toml'), '[tool.layered\n');
    expect(() => checkProject(root, { cacheDirectory: null })).toThrow(/pyproject.toml: is not valid TOML/);
    writeFileSync(path.join(root, 'pyproject.toml'), '[project]\nname = "x"\n');
    expect(() => checkProject(root, { cacheDirectory: null })).toThrow(/tool.layered: missing/);
  });

  it('infers the package when it is not set', () => {
    const root = project(path.join(FIXTURES, 'violations', 'LAY013'));
    writeFileSync(path.join(root, 'pyproject.toml'), '[tool.layered]\n');
    expect(rules(root)).toEqual(['LAY013 src/api/domain/services/flags.py:5']);
  });

  it('applies per-rule severity: warning does not fail, off silences', () => {
    const root = project(path.join(FIXTURES, 'violations', 'LAY013'));
    setLayered(root, 'severity = { LAY013 = "warning" }');
    expect(checkProject(root, { cacheDirectory: null }).findings.map((f) => f.severity)).toEqual(['warning']);
    setLayered(root, 'severity = { LAY013 = "off" }');
    expect(rules(root)).toEqual([]);
  });

  it('moves layers by configured module patterns', () => {
    const root = project();
    write(root, 'src/api/domain/usecases/checkout.py', 'from sqlalchemy import text\n');
    expect(rules(root)).toEqual(['LAY003 src/api/domain/usecases/checkout.py:1']);
    setLayered(root, 'layers = { repositories = ["{package}.domain.repositories.**", "{package}.domain.usecases.*"] }');
    expect(rules(root)).toEqual([]);
  });

  it('excludes tests by default and honours a configured exclude list', () => {
    const root = project();
    write(root, 'src/api/domain/services/legacy/old.py', SERVICE_WITH_SQL);
    expect(rules(root)).toEqual(['LAY003 src/api/domain/services/legacy/old.py:1']);
    setLayered(root, 'exclude = ["src/api/domain/services/legacy/**"]');
    expect(rules(root)).toEqual([]);
    setLayered(root, 'exclude = []');
    expect(rules(root)).toEqual(['LAY003 src/api/domain/services/legacy/old.py:1']);
  });

  it('counts TYPE_CHECKING imports unless type-checking-imports = false', () => {
    const root = project();
    write(root, 'src/api/domain/services/typed.py', 'from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sqlalchemy.orm import Session\n');
    expect(rules(root)).toEqual(['LAY003 src/api/domain/services/typed.py:3']);
    setLayered(root, 'type-checking-imports = false');
    expect(rules(root)).toEqual([]);
  });
});

describe('ignores', () => {
  it('honours a config ignore with a reason and reports it once it matches nothing', () => {
    const root = project();
    write(root, 'src/api/domain/services/report.py', SERVICE_WITH_SQL);
    setLayered(root, '[[tool.layered.ignore]]\nrule = "LAY003"\npath = "src/api/domain/services/report.py"\nreason = "raw SQL report until #12"');
    expect(rules(root)).toEqual([]);
    rmSync(path.join(root, 'src/api/domain/services/report.py'));
    expect(rules(root)).toEqual(['LAY100 pyproject.toml:9']);
  });

  it('honours an inline ignore with a reason, on the line or on the statement start', () => {
    const root = project();
    write(root, 'src/api/domain/services/report.py', 'from sqlalchemy import text  # layered: ignore[LAY003] raw SQL report until #12\nfrom sqlalchemy import (  # layered: ignore[LAY003] same\n    select,\n)\n');
    expect(rules(root)).toEqual([]);
  });

  it('reports inline ignores without a reason and those that match nothing', () => {
    const root = project();
    write(root, 'src/api/domain/services/report.py', 'from sqlalchemy import text  # layered: ignore[LAY003]\nx = 1  # layered: ignore[LAY007] not a route\n');
    expect(rules(root)).toEqual(['LAY003 src/api/domain/services/report.py:1', 'LAY101 src/api/domain/services/report.py:1', 'LAY100 src/api/domain/services/report.py:2']);
  });
});

describe('baseline', () => {
  it('records findings, fails only on new ones and lists the ones that disappeared', () => {
    const root = project();
    write(root, 'src/api/domain/services/report.py', SERVICE_WITH_SQL);
    write(root, 'src/api/domain/services/flags.py', 'import os\nFLAG = os.getenv("X")\n');
    const written = checkProject(root, { cacheDirectory: null, updateBaseline: true });
    expect(written.findings).toEqual([]);
    expect(written.baselineWritten).toBe('layered-baseline.json');
    expect(JSON.parse(readFileSync(path.join(root, 'layered-baseline.json'), 'utf-8')).findings).toHaveLength(2);

    // Unrelated lines above a known finding do not make it new.
    write(root, 'src/api/domain/services/report.py', `"""Moved down."""\n\n${SERVICE_WITH_SQL}`);
    write(root, 'src/api/domain/services/flags.py', '"""No env any more."""\n');
    write(root, 'src/api/domain/services/audit.py', 'from fastapi import Request\n');
    const later = checkProject(root, { cacheDirectory: null });
    expect(findingLines(later.findings)).toContain('LAY001');
    expect(later.findings).toHaveLength(1);
    expect(later.baselined).toBe(1);
    expect(later.disappeared.map((entry) => `${entry.rule} ${entry.path}`)).toEqual(['LAY013 src/api/domain/services/flags.py']);
  });

  it('reports a corrupt baseline as a usage problem', () => {
    const root = project();
    writeFileSync(path.join(root, 'layered-baseline.json'), '{oops');
    expect(() => checkProject(root, { cacheDirectory: null })).toThrow(/not valid JSON/);
  });
});

describe('robustness', () => {
  it('turns unreadable files into findings or notes and still checks the rest', () => {
    const root = project(path.join(FIXTURES, 'violations', 'LAY013'));
    write(root, 'src/api/domain/services/broken.py', 'def f(:\n    return "unterminated\n');
    write(root, 'src/api/domain/services/latin.py', Buffer.from([0x78, 0x20, 0x3d, 0x20, 0x27, 0xe9, 0x27, 0x0a]));
    write(root, 'src/api/domain/services/declared.py', Buffer.concat([Buffer.from('# -*- coding: latin-1 -*-\nNAME = "'), Buffer.from([0xe9]), Buffer.from('"\n')]));
    write(root, 'src/api/domain/services/empty.py', '');
    write(root, 'src/api/domain/services/huge.py', `${'VALUE = "x" * 80  # padding line\n'.repeat(160_000)}import os\nos.getenv("X")\n`);
    symlinkSync(path.join(root, 'src/api/domain'), path.join(root, 'src/api/domain/services/loop'));
    symlinkSync(path.join(root, 'src/api/domain/services/self.py'), path.join(root, 'src/api/domain/services/self.py'));
    const result = checkProject(root, { cacheDirectory: null });
    expect(result.findings.map((f) => `${f.rule} ${f.path}:${f.line}`)).toEqual([
      'LAY000 src/api/domain/services/broken.py:2',
      'LAY013 src/api/domain/services/flags.py:5',
      'LAY013 src/api/domain/services/huge.py:160002',
      'LAY000 src/api/domain/services/latin.py:1',
    ]);
    expect(result.findings[3].message).toMatch(/cannot be decoded as utf-8 \(invalid byte 0xe9 at offset 5\)/);
    expect(result.notes.join('\n')).toMatch(/services\/loop\/services\/loop: skipped, symbolic link loop|services\/loop: skipped, symbolic link loop/);
    expect(result.notes.join('\n')).toMatch(/self.py: skipped, symbolic link loop/);
  });
});

describe('facts cache', () => {
  it('gives the same findings from the cache, and sees an edited file', () => {
    const root = project(path.join(FIXTURES, 'violations', 'LAY002'));
    const cacheDirectory = mkdtempSync(path.join(tmpdir(), 'layered-cache-'));
    created.push(cacheDirectory);
    const cold = checkProject(root, { cacheDirectory });
    const warm = checkProject(root, { cacheDirectory });
    expect(warm.stats.scanned).toBe(0);
    expect(warm.stats.fromCache).toBe(cold.stats.files);
    expect(findingLines(warm.findings)).toBe(findingLines(cold.findings));

    // Touched but unchanged: served by the content hash.
    const file = path.join(root, 'src/api/domain/services/bundle.py');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(checkProject(root, { cacheDirectory }).stats.scanned).toBe(0);

    writeFileSync(file, 'from api.domain.models.recipe import Recipe\n');
    const edited = checkProject(root, { cacheDirectory });
    expect(edited.stats.scanned).toBe(1);
    expect(edited.findings).toEqual([]);

    // The edit went to the journal; a fresh process sees it on top of the base file.
    expect(readdirSync(cacheDirectory).some((name) => name.endsWith('.journal'))).toBe(true);
    writeFileSync(file, `${readFileSync(file, 'utf-8')}from api.domain.services.pricing import PricingService\n`);
    expect(findingLines(checkProject(root, { cacheDirectory }).findings)).toContain('LAY002');
    rmSync(path.join(root, 'src/api/domain/services/pricing.py'));
    const removed = checkProject(root, { cacheDirectory });
    expect(removed.stats.scanned).toBe(0);
    expect(removed.stats.files).toBe(edited.stats.files - 1);
    // The import of the deleted module still names a services module of the app.
    expect(removed.findings.map((f) => f.rule)).toEqual(['LAY002']);
  });

  it('reuses the whole result when no file changed, without reading any file', () => {
    const root = project(path.join(FIXTURES, 'violations', 'LAY002'));
    const cacheDirectory = mkdtempSync(path.join(tmpdir(), 'layered-cache-'));
    created.push(cacheDirectory);
    const cold = checkProject(root, { cacheDirectory });
    for (const name of readdirSync(cacheDirectory)) if (!name.endsWith('.result.json')) rmSync(path.join(cacheDirectory, name));
    const warm = checkProject(root, { cacheDirectory });
    expect(findingLines(warm.findings)).toBe(findingLines(cold.findings));
    expect(readdirSync(cacheDirectory).filter((name) => !name.endsWith('.result.json'))).toEqual([]);
    // A configuration change is a different result.
    setLayered(root, 'severity = { LAY002 = "off" }');
    expect(checkProject(root, { cacheDirectory }).findings).toEqual([]);
  });
});

describe('LAY002: what one service is', () => {
  // A service package (catalog: queries + commands) next to the LAY002 fixture's module services.
  const LAY002 = [path.join(FIXTURES, 'violations', 'LAY002'), path.join(FIXTURES, 'scenarios', 'services-as-packages')];

  it('as packages (the default), modules of one service package import each other freely', () => {
    const root = project(...LAY002);
    expect(rules(root).filter((line) => line.startsWith('LAY002'))).toEqual([
      'LAY002 src/api/domain/services/bundle.py:2',
      'LAY002 src/api/domain/services/catalog/commands.py:4',
    ]);
  });

  it('as modules, every module is a service', () => {
    const root = project(...LAY002);
    setLayered(root, 'services = "module"');
    expect(rules(root).filter((line) => line.startsWith('LAY002'))).toEqual([
      'LAY002 src/api/domain/services/bundle.py:2',
      'LAY002 src/api/domain/services/catalog/commands.py:3',
      'LAY002 src/api/domain/services/catalog/commands.py:4',
    ]);
  });

  it('with one service module per feature package (a service.py next to flows.py), the feature package is the service', () => {
    const root = project();
    setLayered(root, 'layers = { services = ["api.*.service", "api.*.flows"] }');
    write(root, 'src/api/incident/__init__.py', '');
    write(root, 'src/api/incident/service.py', 'def get(incident_id: int) -> int:\n    return incident_id\n');
    write(root, 'src/api/incident/flows.py', 'from api.incident import service\nfrom api.case.service import get as get_case\n');
    write(root, 'src/api/case/__init__.py', '');
    write(root, 'src/api/case/service.py', 'def get(case_id: int) -> int:\n    return case_id\n');
    expect(rules(root).filter((line) => line.startsWith('LAY002'))).toEqual(['LAY002 src/api/incident/flows.py:2']);
  });
});

describe('ORM and model libraries', () => {
  const SQLMODEL = path.join(FIXTURES, 'scenarios', 'sqlmodel');

  it('by default, SQLModel classes are models, only table classes are ORM types, and sqlmodel in a route is database access', () => {
    const root = project(SQLMODEL);
    expect(rules(root)).toEqual(['LAY004 src/api/domain/repositories/team.py:10', 'LAY007 src/api/http/routes/teams.py:2']);
  });

  it('follows the configured libraries', () => {
    const root = project(SQLMODEL);
    setLayered(root, 'orm-libraries = ["sqlalchemy"]\nmodel-libraries = ["pydantic"]');
    expect(rules(root)).toEqual([
      'LAY009 src/api/domain/models/team.py:6',
      'LAY009 src/api/domain/models/team.py:10',
      'LAY009 src/api/domain/models/team.py:14',
    ]);
  });
});

describe('type-only imports (under if TYPE_CHECKING:)', () => {
  const typeOnly = (line: string): string => `from __future__ import annotations\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    ${line}\n`;

  it('do not count as a route calling a service or touching the database (LAY007)', () => {
    const root = project();
    write(root, 'src/api/http/routes/typed.py', typeOnly('from api.domain.services.recipe import RecipeService'));
    expect(rules(root)).toEqual([]);
  });

  it('do not count as controller database access (LAY006)', () => {
    const root = project();
    write(root, 'src/api/domain/controllers/typed.py', typeOnly('from sqlalchemy.ext.asyncio import AsyncSession'));
    expect(rules(root)).toEqual([]);
  });

  it('do not close a layer cycle (LAY016), but still count as a repository depending on a service (LAY005)', () => {
    const root = project();
    write(root, 'src/api/domain/repositories/typed.py', typeOnly('from api.domain.services.recipe import RecipeService'));
    expect(rules(root)).toEqual(['LAY005 src/api/domain/repositories/typed.py:4']);
  });
});

describe('files no import can reach (names that are not Python identifiers)', () => {
  it('checks their own imports and says so in a note per folder', () => {
    const root = project(path.join(FIXTURES, 'scenarios', 'scripts'));
    const result = checkProject(root, { cacheDirectory: null });
    expect(findingLines(result.findings)).toBe(
      [
        'src/api/domain/models/migrations/0002_backfill_prices.py:3:1 LAY009 error `api.domain.models.migrations.0002_backfill_prices` (models layer) imports `api.domain.services.pricing.PricingService` at line 3',
        'src/api/domain/models/migrations/0002_backfill_prices.py:3:1 LAY016 error `api.domain.models.migrations.0002_backfill_prices` (models layer) imports `api.domain.services.pricing.PricingService` at line 3, against the layer order (services is above models); it closes the cycle models -> services -> models',
        'src/api/tools/load-fixtures.py:1:1 LAY003 error `api.tools.load-fixtures` (app module) imports `sqlalchemy.create_engine` at line 1',
        '',
      ].join('\n'),
    );
    expect(result.notes).toEqual([
      'src/api/domain/models/migrations/: 2 files (e.g. `0001_initial.py`) are not importable (the path is not made of Python identifiers); checked as scripts: their own imports count, nothing else',
      'src/api/tools/: `load-fixtures.py` is not importable (the path is not made of Python identifiers); checked as a script: its own imports count, nothing else',
    ]);
  });
});

describe('chains (LAY017)', () => {
  it('are off unless chains = true', () => {
    const root = project(path.join(FIXTURES, 'violations', 'LAY017'));
    setLayered(root, '');
    expect(rules(root)).toEqual([]);
    setLayered(root, 'chains = true');
    expect(rules(root)).toEqual(['LAY017 src/api/domain/models/label.py:5']);
  });

  it('do not follow type-only imports', () => {
    const root = project(path.join(FIXTURES, 'violations', 'LAY017'));
    const helper = path.join(root, 'src/api/support/formatting.py');
    writeFileSync(helper, readFileSync(helper, 'utf-8').replace('from api.domain.services.pricing import PricingService', 'from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from api.domain.services.pricing import PricingService'));
    expect(rules(root)).toEqual([]);
  });
});
