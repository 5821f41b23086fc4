import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appPython,
  countPythonFiles,
  createWorkspace,
  pathWithoutUv,
  PythonRuntime,
  run,
  ruffCheck,
  RunningServer,
  serveFailure,
  startServe,
  USER_ENV,
  Workspace,
} from './support';

describe('layered:application in a fresh Nx workspace', () => {
  let ws: Workspace;
  let python: PythonRuntime;
  let app: string;

  beforeAll(async () => {
    ws = await createWorkspace('application');
    app = path.join(ws.root, 'apps/api');
    python = appPython(app);
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

  it('generates the app through the real nx CLI, and runs uv sync for it', async () => {
    const result = await ws.nx(['g', 'layered:application', 'api', '--no-interactive'], { env: USER_ENV });

    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain('CREATE apps/api/src/api/domain/factory.py');
    expect(result.stdout).toContain('CREATE apps/api/project.json');
    expect(result.output).toContain('layered: uv sync in apps/api');
    expect(result.output).toMatch(/layered: apps\/api\/\.venv is ready \(\d+\.\d s\)/);
    expect(existsSync(python.python)).toBe(true);
    expect(existsSync(path.join(app, 'uv.lock'))).toBe(true);
    process.stdout.write(`[figure] nx g layered:application api (with uv sync): ${result.durationMs} ms wall\n`);
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

  it('passes its own tests through `nx run api:test` (uv run, LAYERED_PYTHON unset)', async () => {
    const result = await ws.nx(['run', 'api:test', '--skip-nx-cache'], { env: USER_ENV });

    expect(result.code, result.output).toBe(0);
    const passed = /(\d+) passed/.exec(result.output);
    expect(Number(passed?.[1])).toBeGreaterThanOrEqual(30);
    expect(result.output).not.toMatch(/\d+ (failed|error)/);
  });

  it('is clean under mypy --strict through `nx run api:typecheck`', async () => {
    const result = await ws.nx(['run', 'api:typecheck', '--skip-nx-cache'], { env: USER_ENV });

    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/Success: no issues found in \d+ source files/);
  });

  it('is clean under the real ruff through `nx run api:lint`', async () => {
    const result = await ws.nx(['run', 'api:lint', '--skip-nx-cache'], { env: USER_ENV });

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('All checks passed!');
  });

  it('is byte-identical to the real ruff format: `nx run api:format -- --check`, then `nx run api:format` changes nothing', async () => {
    const check = await ws.nx(['run', 'api:format', '--', '--check'], { env: USER_ENV });
    expect(check.code, check.output).toBe(0);
    expect(check.output).toMatch(/\d+ files already formatted/);

    const format = await ws.nx(['run', 'api:format'], { env: USER_ENV });
    expect(format.code, format.output).toBe(0);
    expect(format.output).toMatch(/\d+ files left unchanged/);
    expect(await ws.changes()).toBe('');
    // The wasm formatter the generators use agrees too.
    expect(countPythonFiles(app)).toBeGreaterThan(30);
    expect(ruffCheck(app)).toEqual([]);
  });

  it('passes `nx run api:check-layers`', async () => {
    const result = await ws.nx(['run', 'api:check-layers', '--skip-nx-cache'], { env: USER_ENV });

    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/no findings \(\d+ modules checked\)/);
  });

  it('migrates up and back down through `nx run api:migrate` and `nx run api:migrate-down -- base`', async () => {
    const env = { ...USER_ENV, API_DATABASE_URL: `sqlite+aiosqlite:///${path.join(ws.root, 'migrate-check.db')}` };
    const up = await ws.nx(['run', 'api:migrate'], { env });
    expect(up.code, up.output).toBe(0);
    const down = await ws.nx(['run', 'api:migrate-down', '--', 'base'], { env });
    expect(down.code, down.output).toBe(0);
  });

  it('migrate names a bad setting or an unreachable database without a traceback', async () => {
    const badSetting = await ws.nx(['run', 'api:migrate'], { env: { ...USER_ENV, API_LOG_LEVEL: 'loud' } });
    expect(badSetting.code).not.toBe(0);
    expect(badSetting.output).toContain("FAILED: API_LOG_LEVEL: expected one of debug, info, warning, error; got 'loud'.");
    const unreachable = await ws.nx(['run', 'api:migrate'], { env: { ...USER_ENV, API_DATABASE_URL: 'postgresql+asyncpg://app:s3cr3t@127.0.0.1:1/app' } });
    expect(unreachable.code).not.toBe(0);
    expect(unreachable.output).toContain('FAILED: the database did not answer (ConnectionRefusedError): start it, or check API_DATABASE_URL.');
    for (const output of [badSetting.output, unreachable.output]) expect(output).not.toMatch(/Traceback|s3cr3t/);
  });

  it('without uv and without LAYERED_PYTHON, a target prints one line naming both fixes and fails', async () => {
    const result = await ws.nx(['run', 'api:test', '--skip-nx-cache'], { env: { PATH: pathWithoutUv(), LAYERED_PYTHON: undefined } });

    expect(result.code).not.toBe(0);
    const lines = result.output.split('\n').filter((line) => line.includes('LAYERED_PYTHON'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^No Python to run pytest for api: install uv \(`pip install uv`.*or set LAYERED_PYTHON .*\.env\)\.$/);
    expect(result.output).not.toMatch(/not found|Traceback/);
  });

  it('runs with LAYERED_PYTHON from the workspace .env (pip and venv users), which git ignores', async () => {
    writeFileSync(path.join(ws.root, '.env'), 'LAYERED_PYTHON=apps/api/.venv/bin/python\n');
    try {
      expect(await ws.changes()).toBe('');
      const result = await ws.nx(['run', 'api:test', '--skip-nx-cache'], { env: { PATH: pathWithoutUv(), LAYERED_PYTHON: undefined } });
      expect(result.code, result.output).toBe(0);
      expect(result.output).toMatch(/\d+ passed/);
    } finally {
      rmSync(path.join(ws.root, '.env'));
    }
  });

  describe('served by `nx run api:serve` on loopback', () => {
    let server: RunningServer;

    beforeAll(async () => {
      server = await startServe(ws.root, 'api', {
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

    it('logs JSON lines with the request id', async () => {
      const jsonLines = () =>
        server
          .output()
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as Record<string, unknown>);
      const logged = expect.objectContaining({ event: 'request_finished', request_id: 'e2e-health', status: 200 });
      // The line passes through uv, Nx's task runner and Nx before it reaches this process.
      await expect.poll(jsonLines, { timeout: 15_000, interval: 100 }).toContainEqual(logged);
      // uvicorn's own records (startup, access) join the same JSON stream.
      expect(jsonLines()).toContainEqual(expect.objectContaining({ logger: 'uvicorn.error', event: 'Application startup complete.' }));
      await expect
        .poll(jsonLines, { timeout: 15_000, interval: 100 })
        .toContainEqual(expect.objectContaining({ logger: 'uvicorn.access', event: expect.stringContaining('GET /health') }));
    });
  });

  it('with a bad setting, serve exits non-zero with one line, no traceback and nothing left running', async () => {
    const result = await serveFailure(ws.root, 'api', { API_LOG_LEVEL: 'loud' });

    expect(result.code).not.toBe(0);
    const lines = result.output.split('\n').filter((line) => line.includes('API_LOG_LEVEL'));
    expect(lines).toEqual(["api serve: API_LOG_LEVEL: expected one of debug, info, warning, error; got 'loud'."]);
    expect(result.output).not.toContain('Traceback');
    expect(result.leftRunning).toBe(false);
    expect(result.portAnswered).toBe(false);
  });

  it('leaves only ignored files behind after running the tools', async () => {
    const changed = (await ws.changes()).split('\n').filter(Boolean);
    expect(changed).toEqual([]);
    expect(statSync(app).isDirectory() && readdirSync(app).includes('pyproject.toml')).toBe(true);
  });
});

describe('layered:application for a pip user without uv (the app README route)', () => {
  let ws: Workspace;

  beforeAll(async () => {
    ws = await createWorkspace('pip-user');
  });

  afterAll(() => ws?.remove());

  it('with --skipInstall prints the uv sync command; the README pip commands and LAYERED_PYTHON in .env then run test and typecheck', async () => {
    const env = { PATH: pathWithoutUv(), LAYERED_PYTHON: undefined };
    const created = await ws.nx(['g', 'layered:application', 'api', '--skipInstall', '--no-interactive'], { env });
    expect(created.code, created.output).toBe(0);
    expect(created.output).toContain('--skipInstall was given: set up the Python environment of api with `cd apps/api && uv sync`');
    expect(existsSync(path.join(ws.root, 'apps/api/.venv'))).toBe(false);

    // The README's commands for pip users, as written there.
    const readme = ws.read('apps/api/README.md');
    const commands = /With pip and a virtual environment[\s\S]*?```\n([\s\S]*?)```/.exec(readme)?.[1].trim().split('\n') ?? [];
    expect(commands).toHaveLength(2);
    for (const command of commands) {
      const result = await run('sh', ['-ec', command.replace(/\s+#.*$/, '')], { cwd: ws.root, env: { ...process.env, ...env } });
      expect(result.code, `${command}\n${result.output}`).toBe(0);
    }
    expect(ws.read('.env')).toBe('LAYERED_PYTHON=apps/api/.venv/bin/python\n');

    for (const target of ['test', 'typecheck']) {
      const result = await ws.nx(['run', `api:${target}`, '--skip-nx-cache'], { env });
      expect(result.code, result.output).toBe(0);
    }
  });
});
