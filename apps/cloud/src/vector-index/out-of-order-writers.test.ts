/**
 * Several cloud instances insert into one PostgreSQL database at once: sequence values are taken at
 * insert and commit in any order, so a row with a smaller id can become visible after a larger one has
 * been read. Each instance's in-process index must still take every committed row, exactly once. Needs a
 * real server (PGlite has one connection, so its writers cannot overlap).
 */
import { type PostgresServer, postgresForTest, startPostgresServer } from '@heartline/test-support';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlDriver } from '../storage/driver.js';
import { type EmbeddingRow, insertEmbeddings } from '../storage/embeddings.js';
import { openStorage } from '../storage/open-storage.js';
import { type ReleaseRow, registerRelease } from '../storage/releases.js';
import { EcgVectorIndex } from './ecg-vector-index.js';
import { TableFollower } from './table-follower.js';

const DIM = 8;

function vector(seed: number): Float32Array {
  return Float32Array.from({ length: DIM }, (_, i) => Math.sin(seed * 1.37 + i * 0.71) + (i === 0 ? 0.1 : 0));
}

function row(deviceId: string, seq: number): EmbeddingRow {
  return {
    deviceId,
    seq,
    t0: 1_700_000_000_000 + seq * 10_000,
    release: 'r-ooo',
    leadMask: 0xfff,
    quality: 0.9,
    h: new Float32Array(4),
    // Distinct per (device, seq): the device's last character and the seq.
    z: vector(seq * 97 + deviceId.charCodeAt(deviceId.length - 1)),
  };
}

/** A writer holding its own connection, so its transaction stays open while others commit. */
class Writer {
  private constructor(
    private readonly client: pg.Client,
    readonly name: string,
  ) {}

  static async connect(url: string, name: string): Promise<Writer> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return new Writer(client, name);
  }

  /** Opens a transaction and inserts `rows` in it (their ids are taken now, their commit comes later). */
  async begin(rows: readonly EmbeddingRow[]): Promise<void> {
    await this.client.query('BEGIN');
    await insertEmbeddings(this.driver(), rows);
  }

  commit(): Promise<unknown> {
    return this.client.query('COMMIT');
  }

  rollback(): Promise<unknown> {
    return this.client.query('ROLLBACK');
  }

  close(): Promise<void> {
    return this.client.end();
  }

  private driver(): Pick<SqlDriver, 'query'> {
    return {
      query: async <Row>(sql: string, params: readonly unknown[] = []) => {
        const result = await this.client.query(sql, [...params]);
        return { rows: result.rows as Row[], affectedRows: result.rowCount ?? 0 };
      },
    };
  }
}

const binaries = postgresForTest();

describe.skipIf(!binaries)('the in-process index with writers committing out of order (PostgreSQL)', () => {
  let server: PostgresServer;
  let databases = 0;
  beforeAll(async () => {
    server = await startPostgresServer();
  }, 120_000);
  afterAll(() => server?.stop());

  async function freshDatabase(): Promise<{ url: string; db: SqlDriver; release: ReleaseRow }> {
    const url = await server.createDatabase(`ooo_${++databases}`);
    const db = await openStorage({ databaseUrl: url });
    expect(db.pgvector).toBe(false);
    const release = await registerRelease(db, {
      id: 'r-ooo',
      ecgDim: 4,
      sharedDim: DIM,
      dir: '/x',
      manifest: {},
    });
    return { url, db, release };
  }

  it('takes a row with a smaller id that commits after a larger one was read, once', async () => {
    const { url, db } = await freshDatabase();
    const early = await Writer.connect(url, 'early');
    const late = await Writer.connect(url, 'late');
    const follower = new TableFollower(db);
    const handed: bigint[] = [];
    const take = (rows: { key: bigint }[]) => {
      for (const r of rows) handed.push(r.key);
    };
    // `early` takes ids 1–5 and stays open; `late` takes 6–10 and commits.
    await early.begin([1, 2, 3, 4, 5].map((s) => row('dev-early', s)));
    await late.begin([1, 2, 3, 4, 5].map((s) => row('dev-late', s)));
    await late.commit();
    await follower.pass(take, 3);
    expect(handed.map(Number).sort((a, b) => a - b)).toEqual([6, 7, 8, 9, 10]);
    // Following by id alone would now wait for ids above 10 and never see 1–5.
    await early.commit();
    await follower.pass(take, 3);
    await follower.pass(take, 3);
    expect(handed.map(Number).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await Promise.all([early.close(), late.close(), db.close()]);
  }, 60_000);

  it('property: whatever the interleaving of writers and passes, every committed row is handed over exactly once', async () => {
    const { url, db } = await freshDatabase();
    const writers = await Promise.all([0, 1, 2].map((i) => Writer.connect(url, `w${i}`)));
    let seq = 0;
    try {
      await fc.assert(
        fc.asyncProperty(
          // Steps: a writer opens a transaction with 1–4 rows, commits or rolls back its open one, or a pass runs.
          fc.array(
            fc.oneof(
              fc.record({
                kind: fc.constant('begin' as const),
                writer: fc.nat(2),
                rows: fc.integer({ min: 1, max: 4 }),
              }),
              fc.record({ kind: fc.constant('end' as const), writer: fc.nat(2), commit: fc.boolean() }),
              fc.record({ kind: fc.constant('pass' as const), page: fc.integer({ min: 1, max: 5 }) }),
            ),
            { minLength: 1, maxLength: 25 },
          ),
          async (steps) => {
            await db.query('TRUNCATE embeddings');
            const follower = new TableFollower(db);
            const handed = new Map<string, number>();
            const take = (rows: { key: bigint }[]) => {
              for (const r of rows) handed.set(r.key.toString(), (handed.get(r.key.toString()) ?? 0) + 1);
            };
            const open = new Set<number>();
            for (const step of steps) {
              if (step.kind === 'begin' && !open.has(step.writer)) {
                await writers[step.writer]!.begin(
                  Array.from({ length: step.rows }, () => row(`dev-${step.writer}`, ++seq)),
                );
                open.add(step.writer);
              } else if (step.kind === 'end' && open.has(step.writer)) {
                await (step.commit ? writers[step.writer]!.commit() : writers[step.writer]!.rollback());
                open.delete(step.writer);
              } else if (step.kind === 'pass') {
                await follower.pass(take, step.page);
              }
            }
            for (const w of open) await writers[w]!.commit();
            await follower.pass(take, 2);
            const { rows } = await db.query<{ id: string }>('SELECT id::text AS id FROM embeddings');
            expect([...handed.keys()].sort()).toEqual(rows.map((r) => r.id).sort());
            expect([...handed.values()].every((n) => n === 1)).toBe(true);
          },
        ),
        { numRuns: 30, verbose: true },
      );
    } finally {
      await Promise.all(writers.map((w) => w.close()));
      await db.close();
    }
  }, 300_000);

  it('two instances, four writers committing out of order: every row is searchable on both', async () => {
    const { url, db, release } = await freshDatabase();
    const other = await openStorage({ databaseUrl: url });
    const indexes = await Promise.all([EcgVectorIndex.open({ db }), EcgVectorIndex.open({ db: other })]);
    await Promise.all(indexes.map((i) => i.whenReady()));
    const writers = await Promise.all([0, 1, 2, 3].map((i) => Writer.connect(url, `w${i}`)));
    const stored: EmbeddingRow[] = [];
    // Rounds: every writer opens a transaction, then they commit in reverse order of their ids, with the
    // indexes following in between.
    for (let round = 0; round < 5; round++) {
      for (const [w, writer] of writers.entries()) {
        const rows = Array.from({ length: 10 }, (_, i) => row(`dev-${w}`, round * 10 + i + 1));
        stored.push(...rows);
        await writer.begin(rows);
      }
      for (const writer of [...writers].reverse()) {
        await writer.commit();
        await Promise.all(indexes.map((i) => i.follow()));
      }
    }
    for (const index of indexes) {
      let found = 0;
      for (const r of stored) {
        const [best] = await index.nearest(release.num, r.z, 1);
        const { rows } = await db.query<{ device: string; seq: number }>(
          'SELECT device_id AS device, seq::float8 AS seq FROM embeddings WHERE id = $1',
          [best!.id.toString()],
        );
        if (rows[0]?.device === r.deviceId && rows[0]?.seq === r.seq) found++;
      }
      const stats = await index.stats();
      expect(found).toBe(stored.length);
      expect(stats.reduce((n, s) => n + s.pending + s.indexed, 0)).toBe(stored.length);
    }
    await Promise.all(writers.map((w) => w.close()));
    await Promise.all(indexes.map((i) => i.close()));
    await Promise.all([db.close(), other.close()]);
  }, 120_000);
});
