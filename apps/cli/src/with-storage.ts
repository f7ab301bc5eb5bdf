import { resolve } from 'node:path';
import { openStorage, type SqlDriver } from '@heartline/cloud';

/**
 * Runs `work` on the cloud's database while the cloud is stopped: PGlite in `dataDir`, or the server at
 * `databaseUrl` (the CLI's `DATABASE_URL`) when set; closed afterwards whatever happens.
 */
export async function withStorage<T>(
  dataDir: string,
  databaseUrl: string | undefined,
  work: (db: SqlDriver) => Promise<T>,
): Promise<T> {
  const db = await openStorage({ dataDir: resolve(dataDir), databaseUrl });
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}
