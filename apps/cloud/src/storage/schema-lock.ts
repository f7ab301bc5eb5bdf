import type { SqlDriver } from './driver.js';

/** The advisory lock key schema changes take ("heartl" in ASCII): one key for every heartline database. */
const SCHEMA_LOCK_KEY = 0x686561727466n.toString();

/**
 * Runs `work` in one transaction holding the schema lock, so several cloud instances starting at once
 * on one PostgreSQL server change the schema one after the other (the second finds the work done).
 */
export function withSchemaLock<T>(
  db: Pick<SqlDriver, 'transaction'>,
  work: (tx: Pick<SqlDriver, 'query' | 'exec'>) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [SCHEMA_LOCK_KEY]);
    return work(tx);
  });
}
