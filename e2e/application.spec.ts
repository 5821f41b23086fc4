import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countPythonFiles,
  createWorkspace,
  pythonRuntime,
  PythonRuntime,
  ruffCheck,
  RunningServer,
  startUvicorn,
  uvicornStartupFailure,
  Workspace,
} from './support';

describe('layered:application in a fresh Nx workspace', () => {
  let ws: Workspace;
  let python: PythonRuntime;
  let app: string;

  beforeAll(async () => {
    ws = await createWorkspace('application');
    python = pythonRuntime();
    app = path.join(ws.root, 'apps/api');
  });

  afterAll(() => ws?.remove());

  it('lists its generators in `nx list layered`', async () => {
    const result = await ws.nx(['list', 'layered']);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/init\s*:/);
    expect(result.stdout).toMatch(/application\s*:/);
  });

  it('explains its options in `nx g layered:application --help`', async () => {
    const result = await ws.nx(['g', 'layered:application', '--help']);

    expect(result.code).toBe(0);
    for (const option of ['--name', '--directory', '--packageName', '--tags', '--envPrefix']) {
      expect(result.stdout).toContain(option);
    }
    const text = result.stdout.replace(/\s+/g, ' ');
    expect(text).toContain('--directory Folder of the project,');
    expect(text).toContain('Defaults to apps/<name>.');
    expect(text).toContain('Name: application (aliases: app)');
  });

  it.each([
    ['1api', /"1api" is not a valid project name/],
    ['class', /"class" is a Python keyword/],
    ['my api', /"my api" is not a valid project name/],
    ['../x', /"\.\.\/x" is not a valid project name/],
  ])('refuses the name %j with a clear error, a non-zero exit and no files written', async (name, message) => {
    const result = await ws.nx(['g', 'layered:application', name, '--no-interactive']);

    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(message);
    expect(await ws.changes()).toBe('');
  });

  it('refuses an empty name without prompting when not interactive', async () => {
    const result = await ws.nx(['g', 'layered:application', '', '--no-interactive']);

    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/name/i);
    expect(await ws.changes()).toBe('');
  });

  it('generates the app through the real nx CLI', async () => {
    const result = await ws.nx(['g', 'layered:application', 'api', '--no-interactive']);

    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain('CREATE apps/api/src/api/domain/factory.py');
    expect(result.stdout).toContain('CREATE apps/api/project.json');
    process.stdout.write(`[figure] nx g layered:application api: ${result.durationMs} ms wall\n`);
    await ws.commit('generate api');
  });

  it('refuses an existing project and an existing directory, writing nothing', async () => {
    const again = await ws.nx(['g', 'layered:application', 'api', '--no-interactive']);
    expect(again.code).not.toBe(0);
    expect(again.output).toContain('A project named "api" already exists (in apps/api)');

    const sameFolder = await ws.nx(['g', 'layered:application', 'other', '--directory=apps/api', '--no-interactive']);
    expect(sameFolder.code).not.toBe(0);
    expect(sameFolder.output).toContain('The folder apps/api already exists and is not empty');

    expect(await ws.changes()).toBe('');
  });

  it('answers to its alias `app`, and --dry-run writes nothing', async () => {
    const result = await ws.nx(['g', 'layered:app', 'billing', '--tags=scope:billing', '--dry-run', '--no-interactive']);

    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain('CREATE apps/billing/src/billing/main.py');
    expect(await ws.changes()).toBe('');
  });

  it('a second init changes nothing', async () => {
    const result = await ws.nx(['g', 'layered:init', '--no-interactive']);

    expect(result.code, result.output).toBe(0);
    expect(await ws.changes()).toBe('');
  });

  it('passes its own tests through `nx run api:test`', async () => {
    const result = await ws.nx(['run', 'api:test', '--skip-nx-cache'], { env: { LAYERED_PYTHON: python.python } });

    expect(result.code, result.output).toBe(0);
    const passed = /(\d+) passed/.exec(result.output);
    expect(Number(passed?.[1])).toBeGreaterThanOrEqual(30);
    expect(result.output).not.toMatch(/\d+ (failed|error)/);
  });

  it('is clean under mypy --strict through `nx run api:typecheck`', async () => {
    const result = await ws.nx(['run', 'api:typecheck', '--skip-nx-cache'], { env: { LAYERED_PYTHON: python.python } });

    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/Success: no issues found in \d+ source files/);
  });

  it('is clean under ruff check and byte-identical to ruff format', () => {
    expect(countPythonFiles(app)).toBeGreaterThan(30);
    expect(ruffCheck(app)).toEqual([]);
  });

  it('migrates with alembic on SQLite', async () => {
    const db = path.join(ws.root, 'migrate-check.db');
    const env = { API_DATABASE_URL: `sqlite+aiosqlite:///${db}` };
    const up = await python.run(['-m', 'alembic', 'upgrade', 'head'], { cwd: app, env: { ...process.env, ...env } });
    expect(up.code, up.output).toBe(0);
    const down = await python.run(['-m', 'alembic', 'downgrade', 'base'], { cwd: app, env: { ...process.env, ...env } });
    expect(down.code, down.output).toBe(0);
  });

  describe('served by uvicorn on loopback', () => {
    let server: RunningServer;

    beforeAll(async () => {
      server = await startUvicorn(python.python, app, 'api.main:create_app', {
        API_DATABASE_URL: `sqlite+aiosqlite:///${path.join(ws.root, 'served.db')}`,
        API_LOG_JSON: 'true',
      });
    });

    afterAll(() => server?.stop());

    it('answers /health with 200 after querying the database', async () => {
      const response = await fetch(`${server.baseUrl}/health`, { headers: { 'X-Request-ID': 'e2e-health' } });

      expect(response.status).toBe(200);
      expect(response.headers.get('x-request-id')).toBe('e2e-health');
      const body = (await response.json()) as { status: string; database: { dialect: string; latency_ms: number } };
      expect(body.status).toBe('ok');
      expect(body.database.dialect).toBe('sqlite');
    });

    it('answers an unknown path with a problem-details 404', async () => {
      const response = await fetch(`${server.baseUrl}/no/such/thing`);

      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      const body = (await response.json()) as { status: number; title: string; request_id: string };
      expect(body.status).toBe(404);
      expect(body.title).toBe('Not Found');
      expect(body.request_id).toMatch(/^[0-9a-f]{32}$/);
    });

    it('logs JSON lines with the request id', () => {
      const lines = server
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines).toContainEqual(expect.objectContaining({ event: 'request_finished', request_id: 'e2e-health', status: 200 }));
    });
  });

  it('fails at startup naming a malformed variable', async () => {
    const result = await uvicornStartupFailure(python.python, app, 'api.main:create_app', { API_LOG_LEVEL: 'loud' });

    expect(result.code).not.toBe(0);
    expect(result.output).toContain("API_LOG_LEVEL: expected one of debug, info, warning, error; got 'loud'.");
  });

  it('leaves only ignored files behind after running the tools', async () => {
    const changed = (await ws.changes()).split('\n').filter(Boolean);
    expect(changed).toEqual([]);
    expect(statSync(app).isDirectory() && readdirSync(app).includes('pyproject.toml')).toBe(true);
  });
});
