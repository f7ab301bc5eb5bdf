import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresForTest } from './binaries.js';
import { type PostgresServer, startPostgresServer } from './server.js';

const binaries = postgresForTest();

/** Runs one query on `url` with a client of its own. */
async function queryOne<Row>(url: string, sql: string): Promise<Row> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows[0] as Row;
  } finally {
    await client.end();
  }
}

describe.skipIf(!binaries)('startPostgresServer', () => {
  const started: PostgresServer[] = [];
  const start = async () => {
    const server = await startPostgresServer();
    started.push(server);
    return server;
  };
  afterAll(async () => {
    for (const server of started) await server.stop();
  });

  it('starts a server of the installed major version that answers on loopback', async () => {
    const server = await start();
    expect(server.url).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/heartline$/);
    const { version } = await queryOne<{ version: string }>(server.url, 'SELECT version()');
    expect(version).toMatch(new RegExp(`^PostgreSQL ${binaries!.major}\\.`));
    // Debian 12, which CI runs, ships 15; the schema needs nothing newer.
    expect(binaries!.major).toBeGreaterThanOrEqual(15);
    const { encoding } = await queryOne<{ encoding: string }>(
      server.url,
      "SELECT current_setting('server_encoding') AS encoding",
    );
    expect(encoding).toBe('UTF8');
  });

  it('creates empty databases of their own and refuses a name it would have to quote', async () => {
    const server = await start();
    const url = await server.createDatabase('second_db');
    expect(url).toBe(server.url.replace(/heartline$/, 'second_db'));
    const { db } = await queryOne<{ db: string }>(url, 'SELECT current_database() AS db');
    expect(db).toBe('second_db');
    await expect(server.createDatabase('Robert"; DROP')).rejects.toThrow(RangeError);
  });

  it('refuses a client without the generated password', async () => {
    const server = await start();
    const wrong = server.url.replace(/:[^:@]+@/, ':wrong@');
    await expect(queryOne(wrong, 'SELECT 1')).rejects.toThrow(/password authentication failed/);
  });

  it('removes its folder when stopped, and a second stop does nothing', async () => {
    const server = await start();
    expect(existsSync(server.dir)).toBe(true);
    await server.stop();
    expect(existsSync(server.dir)).toBe(false);
    await server.stop();
    await expect(queryOne(server.url, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('removes everything it made when it cannot finish starting', async () => {
    const parentDir = await mkdtemp(join(tmpdir(), 'hl-pg-parent-'));
    // As root the cluster belongs to the postgres user, who must be able to enter the parent.
    await chmod(parentDir, 0o755);
    try {
      // template1 exists in every cluster, so creating it fails after the server is already up.
      await expect(startPostgresServer({ database: 'template1', parentDir })).rejects.toThrow(
        /already exists/,
      );
      expect(await readdir(parentDir)).toEqual([]);
    } finally {
      await rm(parentDir, { recursive: true, force: true });
    }
  });

  it('dies at once when killed, cutting off a session, and removes its folder', async () => {
    const server = await start();
    const client = new pg.Client({ connectionString: server.url });
    // The session's backend dies with the server: pg reports it as an error event on the client.
    const lost = new Promise<Error>((done) => client.once('error', done));
    await client.connect();
    const { pid } = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!;
    server.kill();
    expect(existsSync(server.dir)).toBe(false);
    await expect(lost).resolves.toBeInstanceOf(Error);
    await client.end().catch(() => undefined);
    // The session's backend process is gone too, not left behind the dead postmaster.
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await expect.poll(alive, { timeout: 5_000, interval: 20 }).toBe(false);
    await expect(queryOne(server.url, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
  });
});
