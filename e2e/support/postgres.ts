import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { E2E_TMP } from './paths';
import { freePort, run, runOrThrow } from './process';

export interface Postgres {
  port: number;
  /** An asyncpg URL of a (new) database on the server. */
  url(database: string): string;
  createDatabase(database: string): Promise<void>;
  stop(): Promise<void>;
}

function postgresBin(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  const bin = versions.map((v) => path.join(base, v, 'bin')).find((dir) => existsSync(path.join(dir, 'initdb')));
  if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql: apt-get install postgresql-15');
  return bin;
}

/** A throwaway PostgreSQL server on loopback, trust auth, data in a temporary folder. */
export async function startPostgres(): Promise<Postgres> {
  const bin = postgresBin();
  mkdirSync(E2E_TMP, { recursive: true });
  const dir = mkdtempSync(path.join(E2E_TMP, 'pg-'));
  const data = path.join(dir, 'data');
  const port = await freePort();
  // The server refuses to run as root, so it runs as the postgres system user.
  const asPostgres = (command: string, args: string[]) => runOrThrow('runuser', ['-u', 'postgres', '--', command, ...args], { cwd: dir });
  await runOrThrow('chown', ['postgres:postgres', dir]);
  await asPostgres(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  await asPostgres(path.join(bin, 'pg_ctl'), [
    '-D', data, '-w', '-l', path.join(dir, 'server.log'),
    '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off`,
    'start',
  ]);
  return {
    port,
    url: (database) => `postgresql+asyncpg://postgres@127.0.0.1:${port}/${database}`,
    createDatabase: async (database) => {
      await asPostgres(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', database]);
    },
    stop: async () => {
      await run('runuser', ['-u', 'postgres', '--', path.join(bin, 'pg_ctl'), '-D', data, '-m', 'fast', '-w', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
