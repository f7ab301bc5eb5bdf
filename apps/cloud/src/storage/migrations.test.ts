import { describe, expect, it } from 'vitest';
import { migrate } from './migrate.js';
import { MIGRATIONS } from './migrations.js';
import { openPgliteDriver } from './pglite-driver.js';

describe('migrations 10 and 11 on a database made by the old version 1 (pgvector columns)', () => {
  it('keeps its vector columns and values and gives rows a transaction id', async () => {
    const db = await openPgliteDriver(undefined);
    // The schema as the shipped version 1 made it: the extension, `vector` columns, an HNSW index.
    await db.exec(
      `CREATE EXTENSION IF NOT EXISTS vector;\n${MIGRATIONS[0]!.sql.replaceAll('real[] NOT NULL', 'vector NOT NULL')}`,
    );
    await db.exec(`
      CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied timestamptz NOT NULL DEFAULT now());
      INSERT INTO schema_migrations (version, name) VALUES (1, 'initial schema');
      INSERT INTO releases (id, ecg_dim, shared_dim, dir, manifest) VALUES ('r1', 2, 3, '/x', '{}');
      INSERT INTO embeddings (device_id, seq, t0, release, lead_mask, quality, h, z)
        VALUES ('d', 1, now(), 'r1', 4095, 1, '\\x00', '[0.25,-1,3.5]');
      CREATE INDEX record_vectors_z_hnsw_1 ON record_vectors USING hnsw ((z::vector(3)) vector_cosine_ops);`);
    expect(await migrate(db)).toEqual(expect.arrayContaining([10, 11]));
    const { rows } = await db.query<{ udt: string; z: number[]; hasXid: boolean }>(
      `SELECT (SELECT udt_name FROM information_schema.columns WHERE table_name = 'embeddings' AND column_name = 'z') AS udt,
              z::real[] AS z, xid IS NOT NULL AS "hasXid" FROM embeddings`,
    );
    expect(rows[0]).toEqual({ udt: 'vector', z: [0.25, -1, 3.5], hasXid: true });
    expect((await db.query(`SELECT 1 FROM pg_indexes WHERE indexdef LIKE '%hnsw%'`)).rows).toHaveLength(1);
    expect(await migrate(db)).toEqual([]);
    await db.close();
  }, 60_000);
});
