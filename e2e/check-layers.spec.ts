import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, NX_ENV, run, runOrThrow, Workspace } from './support';

const PKG = 'apps/api/src/api';
const CACHE_HIT = /existing outputs match the cache|\[local cache\]|\[remote cache\]/;

// One violation per rule, written into a generated app (files added or appended to).
const VIOLATIONS: Record<string, { write?: Record<string, string>; append?: Record<string, string>; layered?: string }> = {
  LAY001: { write: { [`${PKG}/domain/services/audit.py`]: 'from fastapi import Request\n\n\ndef client(request: Request) -> str:\n    return str(request.client)\n' } },
  LAY002: { write: { [`${PKG}/domain/services/report.py`]: 'from api.domain.services.health import IHealthService\n\n\nclass ReportService:\n    def __init__(self, health: IHealthService) -> None:\n        self._health = health\n' } },
  LAY003: { write: { [`${PKG}/domain/services/raw.py`]: 'from sqlalchemy import text\n\nQUERY = text("SELECT 1")\n' } },
  LAY004: {
    write: {
      [`${PKG}/domain/repositories/audit.py`]:
        'from sqlalchemy.orm import Mapped, mapped_column\n\nfrom api.domain.repositories.orm import Base\n\n\nclass AuditRow(Base):\n    __tablename__ = "audit"\n    id: Mapped[int] = mapped_column(primary_key=True)\n\n\nclass AuditRepository:\n    async def latest(self) -> AuditRow:\n        return AuditRow(id=1)\n',
    },
  },
  LAY005: { write: { [`${PKG}/domain/repositories/audit.py`]: 'from api.domain.controllers.health import HealthController\n\nCONTROLLER = HealthController\n' } },
  LAY006: { write: { [`${PKG}/domain/controllers/stock.py`]: 'from api.domain.repositories.health import HealthRepository\n\nREPOSITORY = HealthRepository\n' } },
  LAY007: { write: { [`${PKG}/http/routes/admin.py`]: 'from api.domain.services.health import HealthService\n\nSERVICE = HealthService\n' } },
  LAY008: { append: { [`${PKG}/domain/factory.py`]: '\n\ndef pool_size(config: AppConfig) -> int:\n    if config.database_pool_size > 10:\n        return 10\n    return config.database_pool_size\n' } },
  LAY009: { write: { [`${PKG}/domain/models/tag.py`]: 'from dataclasses import dataclass\n\n\n@dataclass(frozen=True)\nclass Tag:\n    name: str\n' } },
  LAY010: { write: { [`${PKG}/domain/services/legacy.py`]: 'from abc import ABC, abstractmethod\n\n\nclass LegacyService(ABC):\n    @abstractmethod\n    def run(self) -> None: ...\n' } },
  LAY011: {
    write: {
      [`${PKG}/http/routes/gone.py`]:
        'from fastapi import APIRouter, HTTPException\n\nrouter = APIRouter()\n\n\n@router.get("/gone")\nasync def gone() -> None:\n    raise HTTPException(status_code=410)\n',
    },
  },
  LAY012: { append: { [`${PKG}/domain/errors.py`]: '\n\nclass GoneError(AppError):\n    code = "gone"\n    status_code = 410\n' } },
  LAY013: { write: { [`${PKG}/domain/services/flags.py`]: 'import os\n\n\ndef enabled() -> bool:\n    return os.getenv("API_FLAG") == "1"\n' } },
  LAY014: { write: { [`${PKG}/domain/services/noisy.py`]: 'import logging\n\nlogger = logging.getLogger(__name__)\n' } },
  LAY015: {
    write: {
      [`${PKG}/domain/controllers/twice.py`]:
        'from api.domain.models.health import HealthReport\nfrom api.domain.services.health import IHealthService\n\n\nclass TwiceController:\n    def __init__(self, first: IHealthService, second: IHealthService) -> None:\n        self._first = first\n        self._second = second\n\n    async def both(self) -> tuple[HealthReport, HealthReport]:\n        a = await self._first.check()\n        b = await self._second.check()\n        return a, b\n',
    },
    // LAY015 is a warning by default; as an error it fails the run.
    layered: 'severity = { LAY015 = "error" }\n',
  },
  LAY016: { append: { [`${PKG}/config.py`]: '\n\nfrom api import logging as _app_logging  # noqa: E402\n' } },
};

describe('check-layers in a fresh Nx workspace', () => {
  let ws: Workspace;
  const git = (...args: string[]) => runOrThrow('git', args, { cwd: ws.root });
  const checkLayers = (...args: string[]) => ws.nx(['run', 'api:check-layers', '--outputStyle=static', ...args]);

  beforeAll(async () => {
    ws = await createWorkspace('check-layers');
    const app = await ws.nx(['g', 'layered:application', 'api', '--no-interactive']);
    expect(app.code, app.output).toBe(0);
    const feature = await ws.nx(['g', 'layered:feature', 'recipe', '--fields=title:str,servings:int=1,notes:str?', '--no-interactive']);
    expect(feature.code, feature.output).toBe(0);
    await ws.commit('api with a recipe feature');
  });

  afterAll(() => ws?.remove());

  it('finds the generated application (with a feature) clean, and writes its SARIF report', async () => {
    const result = await checkLayers();

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('check-layers: no findings');
    const sarif = JSON.parse(ws.read('apps/api/.layered/check-layers.sarif'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results).toEqual([]);
    expect(ws.read('apps/api/.layered/layers.mmd')).toContain('controllers --> services');
  });

  it('replays the second run from the Nx cache', async () => {
    const result = await checkLayers();

    expect(result.code).toBe(0);
    expect(result.output).toMatch(CACHE_HIT);
  });

  it('keeps the cache when a README changes, and misses it when a .py file changes', async () => {
    ws.write('apps/api/README.md', `${ws.read('apps/api/README.md')}\nA note that cannot change any finding.\n`);
    const afterReadme = await checkLayers();
    expect(afterReadme.code).toBe(0);
    expect(afterReadme.output).toMatch(CACHE_HIT);

    ws.write(`${PKG}/domain/models/health.py`, `${ws.read(`${PKG}/domain/models/health.py`)}\n# an edit\n`);
    const afterPython = await checkLayers();
    expect(afterPython.code).toBe(0);
    expect(afterPython.output).not.toMatch(CACHE_HIT);
    await git('checkout', '-q', '--', 'apps');
  });

  for (const [rule, violation] of Object.entries(VIOLATIONS)) {
    it(`reports a ${rule} violation with its id and fails`, async () => {
      for (const [file, text] of Object.entries(violation.write ?? {})) ws.write(file, text);
      for (const [file, text] of Object.entries(violation.append ?? {})) ws.write(file, ws.read(file) + text);
      if (violation.layered) ws.write('apps/api/pyproject.toml', ws.read('apps/api/pyproject.toml') + violation.layered);
      try {
        const result = await checkLayers();

        expect(result.code, result.output).not.toBe(0);
        expect(result.output).toMatch(new RegExp(`apps/api/src/api/\\S+\\.py:\\d+:\\d+\\s+error\\s+${rule}\\s`));
      } finally {
        await git('checkout', '-q', '--', 'apps');
        await git('clean', '-qfd', '--', path.join('apps', 'api', 'src'));
      }
    });
  }

  it('runs an explicit layered:check-layers target from project.json', async () => {
    const project = JSON.parse(ws.read('apps/api/project.json'));
    project.targets.architecture = { executor: 'layered:check-layers', options: { format: 'json', outputFile: 'apps/api/.layered/architecture.json' } };
    ws.write('apps/api/project.json', `${JSON.stringify(project, null, 2)}\n`);
    ws.write(`${PKG}/domain/services/raw.py`, 'from sqlalchemy import text\n');
    try {
      const result = await ws.nx(['run', 'api:architecture', '--outputStyle=static']);

      expect(result.code, result.output).not.toBe(0);
      const report = JSON.parse(ws.read('apps/api/.layered/architecture.json'));
      expect(report.findings.map((finding: { rule: string; path: string }) => `${finding.rule} ${finding.path}`)).toEqual(['LAY003 apps/api/src/api/domain/services/raw.py']);
    } finally {
      await git('checkout', '-q', '--', 'apps');
      await git('clean', '-qfd', '--', path.join('apps', 'api', 'src'));
    }
  });

  it('answers from a check server with --daemon, exactly as a fresh run does', async () => {
    const projectRoot = path.join(ws.root, 'apps/api');
    const installed = path.join(ws.root, 'node_modules/layered/src/executors/check-layers');
    const env = { ...process.env, ...NX_ENV, LAYERED_DAEMON: '1' };
    const cli = (...args: string[]) => run(process.execPath, [path.join(installed, 'cli.js'), 'apps/api', '--format', 'json', ...args], { cwd: ws.root, env });
    const { socketPathFor } = require(path.join(installed, 'server/protocol.js')) as { socketPathFor(root: string, cache: string): string };
    const socket = socketPathFor(projectRoot, path.join(projectRoot, '.layered/cache'));
    try {
      const first = await cli('--daemon');
      expect(first.code, first.output).toBe(0);
      // The first run checked in-process and started the server; it listens once it has warmed up.
      for (let waited = 0; !existsSync(socket) && waited < 300; waited++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(existsSync(socket)).toBe(true);

      ws.write(`${PKG}/domain/services/raw.py`, 'from sqlalchemy import text\n');
      const served = await cli('--daemon');
      const fresh = await cli('--no-cache');
      expect(served.code).toBe(1);
      expect(served.stdout).toBe(fresh.stdout);
      expect(JSON.parse(served.stdout).findings.map((finding: { rule: string }) => finding.rule)).toEqual(['LAY003']);

      const viaNx = await ws.nx(['run', 'api:check-layers', '--outputStyle=static', '--skip-nx-cache', '--daemon'], { env: { LAYERED_DAEMON: '1' } });
      expect(viaNx.code).not.toBe(0);
      expect(viaNx.output).toMatch(/apps\/api\/src\/api\/domain\/services\/raw\.py:1:1\s+error\s+LAY003\s/);

      const stopped = await cli('--stop-daemon');
      // Both the command line's second run and Nx's were answered by the server.
      expect(stopped.stdout).toContain('stopped the check server (2 checks answered) for apps/api');
      expect(existsSync(socket)).toBe(false);
    } finally {
      await cli('--stop-daemon');
      await git('checkout', '-q', '--', 'apps');
      await git('clean', '-qfd', '--', path.join('apps', 'api', 'src'));
    }
  });

  it('stops with a message naming the key when the configuration is wrong', async () => {
    ws.write('apps/api/pyproject.toml', `${ws.read('apps/api/pyproject.toml')}exclude = "tests"\n`);
    try {
      const result = await checkLayers();

      expect(result.code).not.toBe(0);
      expect(result.output).toContain('tool.layered.exclude: expected an array of non-empty strings');
    } finally {
      await git('checkout', '-q', '--', 'apps');
    }
  });
});
