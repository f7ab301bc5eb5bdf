import type { SqlDriver } from './driver.js';

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

const COLUMNS = `num, id, ecg_dim AS "ecgDim", shared_dim AS "sharedDim", dir, live, manifest`;

/** Single-quoted SQL literal; release ids are `[A-Za-z0-9._-]` already, this is belt and braces. */
function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Registers (or updates) a release and creates its partial HNSW indexes: one over device embeddings and
 * one over clinical-record vectors, each over `z::vector(sharedDim)` for that release's rows only.
 */
export async function registerRelease(
  db: SqlDriver,
  release: { id: string; ecgDim: number; sharedDim: number; dir: string; manifest: unknown },
): Promise<ReleaseRow> {
  const { rows } = await db.query<ReleaseRow>(
    `INSERT INTO releases (id, ecg_dim, shared_dim, dir, manifest) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO UPDATE SET dir = excluded.dir, manifest = excluded.manifest, live = true
     RETURNING ${COLUMNS}`,
    [release.id, release.ecgDim, release.sharedDim, release.dir, JSON.stringify(release.manifest)],
  );
  const row = rows[0]!;
  const dim = Math.trunc(row.sharedDim);
  await db.exec(`
CREATE INDEX IF NOT EXISTS embeddings_z_hnsw_${row.num} ON embeddings
  USING hnsw ((z::vector(${dim})) vector_cosine_ops) WHERE release = ${literal(row.id)};
CREATE INDEX IF NOT EXISTS record_vectors_z_hnsw_${row.num} ON record_vectors
  USING hnsw ((z::vector(${dim})) vector_cosine_ops) WHERE release = ${literal(row.id)};`);
  return row;
}

/** Releases, oldest first; `liveOnly` keeps those queries search. */
export async function listReleases(db: SqlDriver, liveOnly = false): Promise<ReleaseRow[]> {
  const where = liveOnly ? 'WHERE live' : '';
  return (await db.query<ReleaseRow>(`SELECT ${COLUMNS} FROM releases ${where} ORDER BY num`)).rows;
}
