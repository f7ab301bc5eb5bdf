import { join } from 'node:path';
import type { SqlDriver } from './driver.js';
import { migrate } from './migrate.js';
import { openPgliteDriver } from './pglite-driver.js';
import { enablePgvector } from './pgvector-support.js';

/** Options of {@link openStorage}. */
export interface StorageOptions {
  /** Data directory; PGlite keeps its files in `<dataDir>/pgdata`. Undefined: in memory (tests). */
  readonly dataDir?: string | undefined;
  /** A PostgreSQL server (`postgres://…`), with or without pgvector; wins over `dataDir`. */
  readonly databaseUrl?: string | undefined;
}

/**
 * Opens the system of record (PGlite or a PostgreSQL server), enables pgvector where the database offers
 * it, and brings the schema up to date.
 */
export async function openStorage(options: StorageOptions = {}): Promise<SqlDriver> {
  const url = options.databaseUrl;
  let db: SqlDriver;
  if (url) {
    const { openPostgresDriver } = await import('./postgres-driver.js');
    db = await openPostgresDriver(url);
  } else {
    db = await openPgliteDriver(options.dataDir === undefined ? undefined : join(options.dataDir, 'pgdata'));
  }
  try {
    const pgvector = await enablePgvector(db);
    await migrate(db);
    return { ...db, pgvector };
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}
