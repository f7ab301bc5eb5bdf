import type { SqlDriver } from './driver.js';
import { withSchemaLock } from './schema-lock.js';

/**
 * Creates the pgvector extension where the database offers it (`pg_available_extensions`) and says
 * whether it is there now. A stock PostgreSQL (Debian packages no pgvector) answers false and the cloud
 * runs without it: vectors are `real[]`, searched through the in-process indexes. A role not allowed to
 * create extensions gets the extension only if an administrator created it already.
 */
export async function enablePgvector(db: Pick<SqlDriver, 'query' | 'transaction'>): Promise<boolean> {
  const installed = async () =>
    (await db.query('SELECT 1 FROM pg_extension WHERE extname = $1', ['vector'])).rows.length > 0;
  if (await installed()) return true;
  const available = await db.query('SELECT 1 FROM pg_available_extensions WHERE name = $1', ['vector']);
  if (available.rows.length === 0) return false;
  try {
    await withSchemaLock(db, (tx) => tx.exec('CREATE EXTENSION IF NOT EXISTS vector'));
  } catch {
    // Not allowed to create it (e.g. not the database owner): whether it exists decides below.
  }
  return installed();
}
