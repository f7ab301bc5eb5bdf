import type { SqlDriver } from './driver.js';
import { type ReleaseFile, storeReleaseFiles } from './release-files.js';

/** A release the cloud knows: its dimensions and where its files are. */
export interface ReleaseRow {
  readonly num: number;
  readonly id: string;
  readonly ecgDim: number;
  readonly sharedDim: number;
  readonly dir: string;
  readonly live: boolean;
  readonly manifest: unknown;
}

/** The select list of a {@link ReleaseRow}. */
export const RELEASE_COLUMNS = `num, id, ecg_dim AS "ecgDim", shared_dim AS "sharedDim", dir, live, manifest`;

/** Single-quoted SQL literal; release ids are `[A-Za-z0-9._-]` already, this is belt and braces. */
function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Whether device embeddings are searched through the cloud's in-process vector index rather than
 * pgvector's HNSW index: in PGlite (pgvector's HNSW maintenance in single-threaded wasm caps the ingest)
 * and on a PostgreSQL server without pgvector; a server with pgvector maintains HNSW natively.
 */
export function usesInProcessEcgIndex(db: Pick<SqlDriver, 'kind' | 'pgvector'>): boolean {
  return db.kind === 'pglite' || !db.pgvector;
}

/**
 * Creates a release's partial pgvector HNSW indexes where pgvector is installed, each over
 * `z::vector(sharedDim)` for that release's rows only: over clinical-record vectors always, over device
 * embeddings unless they are searched in process ({@link usesInProcessEcgIndex}). Idempotent.
 */
export async function ensureReleaseIndexes(
  db: Pick<SqlDriver, 'kind' | 'pgvector' | 'exec'>,
  row: Pick<ReleaseRow, 'num' | 'id' | 'sharedDim'>,
): Promise<void> {
  if (!db.pgvector) return;
  const dim = Math.trunc(row.sharedDim);
  const num = Math.trunc(row.num);
  await db.exec(`
CREATE INDEX IF NOT EXISTS record_vectors_z_hnsw_${num} ON record_vectors
  USING hnsw ((z::vector(${dim})) vector_cosine_ops) WHERE release = ${literal(row.id)};`);
  if (!usesInProcessEcgIndex(db)) {
    await db.exec(`
CREATE INDEX IF NOT EXISTS embeddings_z_hnsw_${num} ON embeddings
  USING hnsw ((z::vector(${dim})) vector_cosine_ops) WHERE release = ${literal(row.id)};`);
  }
}

/**
 * Registers (or updates) a release with its files, in one transaction, and creates its indexes
 * ({@link ensureReleaseIndexes}). `dir` records where the release came from.
 */
export async function registerRelease(
  db: SqlDriver,
  release: {
    id: string;
    ecgDim: number;
    sharedDim: number;
    dir: string;
    manifest: unknown;
    files?: readonly ReleaseFile[];
  },
): Promise<ReleaseRow> {
  const row = await db.transaction(async (tx) => {
    const { rows } = await tx.query<ReleaseRow>(
      `INSERT INTO releases (id, ecg_dim, shared_dim, dir, manifest) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET dir = excluded.dir, manifest = excluded.manifest, live = true
       RETURNING ${RELEASE_COLUMNS}`,
      [release.id, release.ecgDim, release.sharedDim, release.dir, JSON.stringify(release.manifest)],
    );
    if (release.files) await storeReleaseFiles(tx, release.id, release.files, { replace: true });
    return rows[0]!;
  });
  await ensureReleaseIndexes(db, row);
  return row;
}

/** Releases, oldest first; `liveOnly` keeps those queries search. */
export async function listReleases(db: SqlDriver, liveOnly = false): Promise<ReleaseRow[]> {
  const where = liveOnly ? 'WHERE live' : '';
  return (await db.query<ReleaseRow>(`SELECT ${RELEASE_COLUMNS} FROM releases ${where} ORDER BY num`)).rows;
}

/** Releases registered before their files were kept in the database (none of their files stored). */
export async function releasesWithoutFiles(db: Pick<SqlDriver, 'query'>): Promise<ReleaseRow[]> {
  const { rows } = await db.query<ReleaseRow>(
    `SELECT ${RELEASE_COLUMNS} FROM releases r
     WHERE NOT EXISTS (SELECT 1 FROM release_files f WHERE f.release = r.id) ORDER BY num`,
  );
  return rows;
}

/**
 * Drops pgvector HNSW indexes over device embeddings, which a data directory made before the in-process
 * index has: they would only slow every insert down.
 */
export async function dropEmbeddingHnswIndexes(db: SqlDriver): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT indexname AS name FROM pg_indexes WHERE tablename = 'embeddings' AND indexname LIKE 'embeddings\\_z\\_hnsw\\_%'`,
  );
  for (const { name } of rows) await db.exec(`DROP INDEX IF EXISTS ${name.replace(/[^a-z0-9_]/g, '')}`);
  return rows.map((r) => r.name);
}
