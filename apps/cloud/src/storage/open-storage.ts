import { join } from 'node:path';
import type { SqlDriver } from './driver.js';
import { migrate } from './migrate.js';
import { openPgliteDriver } from './pglite-driver.js';

/** Options of {@link openStorage}. */
export interface StorageOptions {
  /** Data directory; PGlite keeps its files in `<dataDir>/pgdata`. Undefined: in memory (tests). */
  readonly dataDir?: string | undefined;
  /** A PostgreSQL server with pgvector (`postgres://…`); wins over `dataDir`. Default: `DATABASE_URL`. */
  readonly databaseUrl?: string | undefined;
}

/** Opens the system of record (PGlite or a PostgreSQL server) and brings its schema up to date. */
export async function openStorage(options: StorageOptions = {}): Promise<SqlDriver> {
  const url = options.databaseUrl;
  let db: SqlDriver;
  if (url) {
    const { openPostgresDriver } = await import('./postgres-driver.js');
    db = await openPostgresDriver(url);
  } else {
    db = await openPgliteDriver(options.dataDir === undefined ? undefined : join(options.dataDir, 'pgdata'));
  }
  await migrate(db);
  return db;
}
