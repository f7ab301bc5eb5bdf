import type { SqlDriver } from './driver.js';

/** What the database records of one release file besides its bytes. */
export interface ReleaseFileInfo {
  /** A plain file name inside the release directory (`weights.bin`, `ecg-encoder.onnx`…). */
  readonly name: string;
  /** Hex sha256 of the bytes, computed when they were stored. */
  readonly sha256: string;
  readonly size: number;
}

/** A release file with its bytes. */
export interface ReleaseFile extends ReleaseFileInfo {
  readonly bytes: Uint8Array;
}

/**
 * Stores files of a release, in name order (two instances storing the same release at once lock rows in
 * the same order). `replace` false keeps a file already stored (backfill); true replaces one whose sha256
 * differs (registration, a rollout's export).
 */
export async function storeReleaseFiles(
  db: Pick<SqlDriver, 'query'>,
  release: string,
  files: readonly ReleaseFile[],
  { replace }: { replace: boolean },
): Promise<void> {
  const conflict = replace
    ? `DO UPDATE SET sha256 = excluded.sha256, size = excluded.size, bytes = excluded.bytes, stored = now()
       WHERE release_files.sha256 <> excluded.sha256`
    : 'DO NOTHING';
  for (const file of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    await db.query(
      `INSERT INTO release_files (release, name, sha256, size, bytes) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (release, name) ${conflict}`,
      [release, file.name, file.sha256, file.size, file.bytes],
    );
  }
}

/** The files the database holds of a release (without their bytes), by name; empty when none. */
export async function listReleaseFiles(
  db: Pick<SqlDriver, 'query'>,
  release: string,
): Promise<ReleaseFileInfo[]> {
  const { rows } = await db.query<ReleaseFileInfo>(
    'SELECT name, sha256, size FROM release_files WHERE release = $1 ORDER BY name',
    [release],
  );
  return rows;
}

/** One stored file with its bytes, as stored (unchecked); undefined when the database has none. */
export async function readReleaseFile(
  db: Pick<SqlDriver, 'query'>,
  release: string,
  name: string,
): Promise<ReleaseFile | undefined> {
  const { rows } = await db.query<ReleaseFile>(
    'SELECT name, sha256, size, bytes FROM release_files WHERE release = $1 AND name = $2',
    [release, name],
  );
  const row = rows[0];
  return row && { ...row, bytes: new Uint8Array(row.bytes) };
}
