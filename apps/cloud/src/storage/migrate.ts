import type { SqlDriver } from './driver.js';
import { MIGRATIONS } from './migrations.js';
import { withSchemaLock } from './schema-lock.js';

/**
 * Applies every migration the database has not seen yet, in one transaction under the schema lock (two
 * instances starting at once: the second waits, then finds nothing to do); returns the versions applied.
 */
export async function migrate(db: Pick<SqlDriver, 'transaction'>): Promise<number[]> {
  return withSchemaLock(db, async (tx) => {
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    return applied;
  });
}
