import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appPython, countPythonFiles, createWorkspace, Postgres, PythonRuntime, ruffCheck, RunningServer, serveFailure, startPostgres, startServe, USER_ENV, Workspace } from './support';

const RECIPE_FIELDS = 'title:str,servings:int=1,notes:str?,tags:list[str],published_on:date';
const MANY_FIELDS =
  'label:str,count:int,ratio:float,active:bool=true,price:Decimal=1.50,born_on:date?,seen_at:datetime,ref:UUID,aliases:list[str]=[],memo:str?';
const FACTORY = 'apps/api/src/api/domain/factory.py';
// A comment, a method and a blank line inside it, written the way ruff format would keep them.
const HAND_WRITTEN = `
    # Hand-written: the clock every service shares.
    def clock_name(self) -> str:
        zone = "utc"

        return zone.upper()
`;

describe('layered:feature in a fresh Nx workspace', () => {
  let ws: Workspace;
  let python: PythonRuntime;
  let app: string;

  const generate = (name: string, ...options: string[]) => ws.nx(['g', 'layered:feature', name, ...options, '--no-interactive']);
  const withPython = (env: NodeJS.ProcessEnv = {}) => ({ env: { ...USER_ENV, ...env } });

  beforeAll(async () => {
    ws = await createWorkspace('feature');
    app = path.join(ws.root, 'apps/api');
    python = appPython(app);
    const created = await ws.nx(['g', 'layered:application', 'api', '--no-interactive'], { env: USER_ENV });
    if (created.code !== 0) throw new Error(created.output);
    await ws.commit('generate api');
  });

  afterAll(() => ws?.remove());

  it('explains its options in `nx g layered:feature --help`', async () => {
    const result = await ws.nx(['g', 'layered:feature', '--help']);

    expect(result.code, result.output).toBe(0);
    for (const option of ['--name', '--project', '--fields', '--operations', '--plural', '--unique', '--force']) {
      expect(result.stdout).toContain(option);
    }
  });

  it('generates a slice with five fields through the real nx CLI', async () => {
    const result = await generate('recipe', `--fields=${RECIPE_FIELDS}`);

    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain('CREATE apps/api/src/api/domain/services/recipe.py');
    expect(result.stdout).toContain('UPDATE apps/api/src/api/domain/factory.py');
    expect(result.stdout).toMatch(/CREATE apps\/api\/migrations\/versions\/rev_[0-9a-f]{12}_create_recipes\.py/);
    process.stdout.write(`[figure] nx g layered:feature recipe (5 fields): ${result.durationMs} ms wall\n`);
  });

  it('generates a slice with every field type', async () => {
    const result = await generate('kitchen-sink', `--fields=${MANY_FIELDS}`, '--project=api');

    expect(result.code, result.output).toBe(0);
    await ws.commit('two features');
  });

  it('wires a third slice into a hand-edited factory, keeping the edits byte for byte', async () => {
    const original = ws.read(FACTORY);
    const edited = original.replace(/\n(class RequestFactory:)/, '\n# Providers below are request-scoped.\n$1').replace(/\n$/, `\n${HAND_WRITTEN}`);
    ws.write(FACTORY, edited);

    const result = await generate('note', '--fields=body:str,score:float?', '--operations=create,get,list');

    expect(result.code, result.output).toBe(0);
    const wired = ws.read(FACTORY);
    expect(wired).toContain('# Providers below are request-scoped.\nclass RequestFactory:');
    expect(wired).toContain(HAND_WRITTEN.trimEnd());
    expect(wired).toContain('    def note_controller(self) -> NoteController:');
    // Everything that was there is still there, in order: the edit only inserted lines.
    const inserted = wired.split('\n');
    let cursor = 0;
    for (const line of edited.split('\n')) {
      cursor = inserted.indexOf(line, cursor);
      expect(cursor, line).toBeGreaterThanOrEqual(0);
      cursor += 1;
    }
    await ws.commit('third feature');
  });

  it('changes nothing when a feature is generated again, and says so', async () => {
    const result = await generate('recipe', `--fields=${RECIPE_FIELDS}`);

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('recipe is already generated and wired into api; nothing changed.');
    expect(await ws.changes()).toBe('');
  });

  it('stops on a slice file with other content, listing it, and writes nothing', async () => {
    const service = 'apps/api/src/api/domain/services/recipe.py';
    const mine = ws.read(service);
    ws.write(service, `${mine}\n# edited by hand\n`);

    const result = await generate('recipe', `--fields=${RECIPE_FIELDS},extra:int`);

    expect(result.code).not.toBe(0);
    expect(result.output).toContain('- apps/api/src/api/domain/services/recipe.py');
    expect(result.output).toContain('--force');
    expect(await ws.changes()).toBe(` M ${service}\n`);
    ws.write(service, mine);
  });

  it('names the bad part of --fields and writes nothing', async () => {
    const result = await generate('dish', '--fields=title:str,servings:integer');

    expect(result.code).not.toBe(0);
    expect(result.output).toContain('--fields: "servings:integer" has the type "integer"');
    expect(await ws.changes()).toBe('');
  });

  it('passes its tests, pages read while rows come and go included, through `nx run api:test`', async () => {
    const result = await ws.nx(['run', 'api:test', '--skip-nx-cache'], withPython());

    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/test_recipe_http\.py|passed/);
    expect(Number(/(\d+) passed/.exec(result.output)?.[1])).toBeGreaterThanOrEqual(120);
    expect(result.output).not.toMatch(/\d+ (failed|error)/);
  });

  it('is clean under mypy --strict', async () => {
    const result = await ws.nx(['run', 'api:typecheck', '--skip-nx-cache'], withPython());

    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/Success: no issues found in \d+ source files/);
  });

  it('is clean under the real ruff: `nx run api:lint` and `nx run api:format -- --check`, edited files included', async () => {
    const lint = await ws.nx(['run', 'api:lint', '--skip-nx-cache'], withPython());
    expect(lint.code, lint.output).toBe(0);
    const format = await ws.nx(['run', 'api:format', '--', '--check'], withPython());
    expect(format.code, format.output).toBe(0);
    expect(format.output).toMatch(/\d+ files already formatted/);
  });

  it('is clean under ruff check and byte-identical to ruff format, edited files included', () => {
    expect(countPythonFiles(app)).toBeGreaterThan(50);
    expect(ruffCheck(app)).toEqual([]);
  });

  it('migrates up to head and down to base on SQLite', async () => {
    const env = { ...process.env, API_DATABASE_URL: `sqlite+aiosqlite:///${path.join(ws.root, 'features.db')}` };
    for (const args of [['upgrade', 'head'], ['downgrade', 'base']]) {
      const result = await python.run(['-m', 'alembic', ...args], { cwd: app, env });
      expect(result.code, result.output).toBe(0);
    }
  });

  describe('on PostgreSQL 15', () => {
    let postgres: Postgres;

    beforeAll(async () => {
      postgres = await startPostgres();
      await postgres.createDatabase('features_test');
      await postgres.createDatabase('features_migrate');
    });

    afterAll(() => postgres?.stop());

    it('passes the same tests', async () => {
      const result = await ws.nx(['run', 'api:test', '--skip-nx-cache'], withPython({ API_TEST_DATABASE_URL: postgres.url('features_test') }));

      expect(result.code, result.output).toBe(0);
      expect(result.output).not.toMatch(/\d+ (failed|error)/);
    });

    it('migrates up to head and down to base', async () => {
      const env = { ...process.env, API_DATABASE_URL: postgres.url('features_migrate') };
      for (const args of [['upgrade', 'head'], ['downgrade', 'base'], ['upgrade', 'head']]) {
        const result = await python.run(['-m', 'alembic', ...args], { cwd: app, env });
        expect(result.code, result.output).toBe(0);
      }
    });
  });

  describe('served by `nx run api:serve` after the feature', () => {
    let server: RunningServer;
    const database = () => ({ API_DATABASE_URL: `sqlite+aiosqlite:///${path.join(ws.root, 'served-features.db')}` });

    beforeAll(async () => {
      const refused = await serveFailure(ws.root, 'api', database());
      if (refused.code === 0 || !/^api serve: the sqlite database has \d+ pending migrations? \([0-9a-f, ]+\): run `nx run api:migrate`, then start serve again\.$/m.test(refused.output)) {
        throw new Error(`serve did not refuse the unmigrated database:\n${refused.output}`);
      }
      if (refused.leftRunning || refused.portAnswered || refused.output.includes('Traceback')) throw new Error(`serve left something behind:\n${refused.output}`);
      const migrated = await ws.nx(['run', 'api:migrate'], withPython(database()));
      if (migrated.code !== 0) throw new Error(migrated.output);
      server = await startServe(ws.root, 'api', { ...database(), API_LOG_JSON: 'true' });
    });

    afterAll(() => server?.stop());

    const post = (body: unknown) =>
      fetch(`${server.baseUrl}/recipes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    it('creates (201), gets (200), misses (404), refuses (422) and lists with a total', async () => {
      const created = await post({ title: 'Soup', tags: ['warm'], published_on: '2024-05-01' });
      expect(created.status).toBe(201);
      const recipe = (await created.json()) as { id: string; servings: number; notes: string | null };
      expect(recipe.servings).toBe(1);
      expect(recipe.notes).toBeNull();
      await post({ title: 'Salad', tags: [], published_on: '2024-05-02' });

      const fetched = await fetch(`${server.baseUrl}/recipes/${recipe.id}`);
      expect(fetched.status).toBe(200);
      expect(((await fetched.json()) as { id: string }).id).toBe(recipe.id);

      const missing = await fetch(`${server.baseUrl}/recipes/00000000-0000-0000-0000-000000000000`);
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { code: string }).code).toBe('recipe_not_found');

      const invalid = await post({ title: 'Stew', servings: 'many', tags: [], published_on: '2024-05-03' });
      expect(invalid.status).toBe(422);

      const duplicate = await post({ title: 'Soup', tags: [], published_on: '2024-05-04' });
      expect(duplicate.status).toBe(409);

      const page = await fetch(`${server.baseUrl}/recipes?limit=1`);
      expect(page.status).toBe(200);
      const body = (await page.json()) as { items: Array<{ id: string }>; total: number };
      expect(body.total).toBe(2);
      expect(body.items.map((item) => item.id)).toEqual([recipe.id]);

      const badPage = await fetch(`${server.baseUrl}/recipes?limit=0`);
      expect(badPage.status).toBe(422);
      expect(((await badPage.json()) as { code: string }).code).toBe('validation_failed');
    });
  });

  it('after --force with changed fields, the printed commands rebuild a database that applied the old revision', async () => {
    const env = { API_DATABASE_URL: `sqlite+aiosqlite:///${path.join(ws.root, 'forced.db')}` };
    const first = await generate('memo', '--fields=title:str');
    expect(first.code, first.output).toBe(0);
    const migrated = await ws.nx(['run', 'api:migrate'], withPython(env));
    expect(migrated.code, migrated.output).toBe(0);

    const forced = await generate('memo', '--fields=title:str,pinned:bool=false', '--force');
    expect(forced.code, forced.output).toBe(0);
    expect(forced.output).toMatch(/--force rewrote apps\/api\/migrations\/versions\/rev_[0-9a-f]{12}_create_memos\.py/);
    const commands = forced.output.split('\n').filter((line) => line.startsWith('  nx run api:'));
    expect(commands).toEqual([expect.stringMatching(/^  nx run api:migrate-down -- [0-9a-f]{12}$/), '  nx run api:migrate']);

    const columns = async () =>
      (await python.run(['-c', 'import sqlite3, sys; print(sorted(r[1] for r in sqlite3.connect(sys.argv[1]).execute("pragma table_info(memos)")))', path.join(ws.root, 'forced.db')])).stdout.trim();
    expect(await columns()).not.toContain('pinned');
    for (const command of commands) {
      const result = await ws.nx(command.trim().split(/\s+/).slice(1), withPython(env));
      expect(result.code, `${command}\n${result.output}`).toBe(0);
    }
    expect(await columns()).toContain("'pinned'");
    await ws.commit('memo feature, forced');
  });

  it('leaves every generated file byte-identical after all the runs', async () => {
    expect(await ws.changes()).toBe('');
  });
});
