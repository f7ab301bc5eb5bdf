import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import type { SqlDriver } from './driver.js';

/** Opens PGlite with pgvector, persisted in `dataDir` (in memory when undefined). */
export async function openPgliteDriver(dataDir: string | undefined): Promise<SqlDriver> {
  // Owner only: the database holds token hashes and device secrets' hashes.
  if (dataDir !== undefined) await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const db = await PGlite.create(dataDir ?? 'memory://', { extensions: { vector } });
  // A `Uint8Array` parameter travels in binary format, as node-postgres sends it: `bytea` without a hex
  // round trip, and binary arrays (e.g. `vector[]`, see embeddings.ts) that the server reads without
  // parsing text. PGlite sends a serializer's `Uint8Array` result in binary; other values keep its own.
  const binaryViews = {
    serializers: new Proxy({} as Record<number, (value: unknown) => string>, {
      get: (_, oid) => {
        const own = db.serializers[String(oid)];
        return (value: unknown) =>
          value instanceof Uint8Array ? (value as unknown as string) : own ? own(value) : String(value);
      },
    }),
  };
  // PGlite runs one statement at a time; a transaction must not interleave with other queries, which
  // PGlite's own queue guarantees.
  return {
    kind: 'pglite',
    pgvector: false,
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      const result = await db.query<Row>(sql, [...params], binaryViews);
      return { rows: result.rows, affectedRows: result.affectedRows ?? 0 };
    },
    async exec(sql) {
      await db.exec(sql);
    },
    transaction(work) {
      return db.transaction(async (tx) =>
        work({
          async query<Row>(sql: string, params: readonly unknown[] = []) {
            const result = await tx.query<Row>(sql, [...params], binaryViews);
            return { rows: result.rows, affectedRows: result.affectedRows ?? 0 };
          },
          async exec(sql) {
            await tx.exec(sql);
          },
        }),
      );
    },
    async close() {
      await db.close();
    },
  };
}
