import pg from 'pg';
import type { SqlDriver } from './driver.js';

/** Connects to a PostgreSQL server with pgvector (`DATABASE_URL`) through a small pool. */
export async function openPostgresDriver(url: string, poolSize = 8): Promise<SqlDriver> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle connection the server ends (a restart, an administrator) is dropped from the pool and the
  // next query opens a new one; unhandled, the pool's 'error' event would end the process.
  pool.on('error', () => undefined);
  // Fail at start-up, not at the first message, when the server is unreachable.
  const probe = await pool.connect();
  probe.release();
  const wrap = (client: pg.Pool | pg.PoolClient): Pick<SqlDriver, 'query' | 'exec'> => ({
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      const result = await client.query(sql, [...params]);
      return { rows: result.rows as Row[], affectedRows: result.rowCount ?? 0 };
    },
    async exec(sql) {
      await client.query(sql);
    },
  });
  return {
    kind: 'postgres',
    pgvector: false,
    ...wrap(pool),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
