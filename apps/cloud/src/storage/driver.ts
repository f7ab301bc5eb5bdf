/**
 * The one SQL surface the cloud uses: PostgreSQL's dialect, behind PGlite in the data directory or a
 * PostgreSQL server (stock, or with pgvector). Parameters are positional (`$1`); arrays travel as
 * PostgreSQL arrays, `Uint8Array` as `bytea`.
 */
export interface SqlDriver {
  /** Which implementation answers (for logs and the health endpoint). */
  readonly kind: 'pglite' | 'postgres';
  /**
   * Whether the database has the pgvector extension (always in PGlite; on a server where it is
   * installed): vectors are `real[]` either way, pgvector adds HNSW indexes and SQL distances over them.
   */
  readonly pgvector: boolean;
  /** Runs one parameterised statement and returns its rows and the affected-row count. */
  query<Row = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<{ rows: Row[]; affectedRows: number }>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs `work` inside one transaction on one connection; rolls back when it throws. */
  transaction<T>(work: (tx: Pick<SqlDriver, 'query' | 'exec'>) => Promise<T>): Promise<T>;
  /** Releases the database (flushes PGlite to disk, ends the server pool). */
  close(): Promise<void>;
}
