import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { underCi } from '../shared-data.js';
import { postgresUnavailableReason } from './binaries.js';
import { type PostgresCluster, startPostgresCluster } from './cluster.js';

const lookup = process.env['HEARTLINE_PG_BINDIR'] ? { binDir: process.env['HEARTLINE_PG_BINDIR'] } : {};
const reason = postgresUnavailableReason(lookup);
if (reason && underCi()) throw new Error(`CI: ${reason}`);
if (reason) console.warn(`skipping the local cluster tests: ${reason}`);

async function query<Row>(url: string, sql: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Row[];
  } finally {
    await client.end();
  }
}

describe.skipIf(reason !== undefined)('startPostgresCluster in a lasting folder', () => {
  let parent: string;
  const running: PostgresCluster[] = [];
  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'hl-cluster-'));
    // As root the cluster belongs to the postgres user, who must be able to enter the parent.
    await chmod(parent, 0o711);
  });
  afterAll(async () => {
    for (const cluster of running) await cluster.stop();
    await rm(parent, { recursive: true, force: true });
  });

  it('keeps its databases and rows from one start to the next, and refuses a second server on them', async () => {
    const dir = join(parent, 'pg');
    const first = await startPostgresCluster({ dir, lookup });
    running.push(first);
    expect(first.created).toBe(true);
    const url = await first.ensureDatabase('keep_me');
    expect(await first.ensureDatabase('keep_me')).toBe(url);
    await query(url, 'CREATE TABLE t (v int); INSERT INTO t VALUES (42)');
    await expect(startPostgresCluster({ dir, lookup })).rejects.toMatchObject({
      code: 'POSTGRES_SERVER',
      message: expect.stringMatching(/already runs/),
    });
    await first.stop();
    await first.stop();
    await expect(query(url, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);

    const second = await startPostgresCluster({ dir, lookup });
    running.push(second);
    expect(second.created).toBe(false);
    const again = await second.ensureDatabase('keep_me');
    expect(await query<{ v: number }>(again, 'SELECT v FROM t')).toEqual([{ v: 42 }]);
    // Durable: the throwaway settings are not in force.
    expect(await query<{ fsync: string }>(again, 'SHOW fsync')).toEqual([{ fsync: 'on' }]);
    await second.stop();
  });
});
