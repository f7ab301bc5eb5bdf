/**
 * Searches in the shared spaces. Vectors are comparable only within a release, so every query runs per
 * live release (through that release's partial HNSW index) and the hits are merged by cosine score.
 */
import { NotFoundError } from '../errors.js';
import type { ReleaseCatalog } from '../releases/release-models.js';
import type { SqlDriver } from '../storage/driver.js';
import type { ReleaseRow } from '../storage/releases.js';
import { parseVector, vectorText } from '../storage/vector-text.js';

/** Filters on device embeddings. */
export interface EcgFilter {
  readonly patientId?: string | undefined;
  readonly deviceId?: string | undefined;
  /** ISO times bounding the window start. */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly release?: string | undefined;
}

/** One ECG hit: a stored device embedding with its cosine similarity to the query. */
export interface EcgHit {
  readonly deviceId: string;
  readonly seq: number;
  readonly t0: string;
  readonly release: string;
  readonly patientId: string | null;
  readonly studyId: string | null;
  readonly score: number;
}

/** One report hit. */
export interface RecordHit {
  readonly id: string;
  readonly patientId: string | null;
  readonly studyId: string | null;
  readonly effective: string | null;
  readonly text: string;
  readonly codes: string[];
  readonly release: string;
  readonly score: number;
}

/** A stored embedding's identity and shared vector. */
export interface StoredCase {
  readonly deviceId: string;
  readonly seq: number;
  readonly release: string;
  readonly z: Float32Array;
}

function mergeTop<T extends { score: number }>(lists: readonly T[][], k: number): T[] {
  return lists
    .flat()
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

/** The stored embedding (device, seq) with its shared vector; NotFoundError when absent. */
export async function storedCase(db: SqlDriver, deviceId: string, seq: number): Promise<StoredCase> {
  const { rows } = await db.query<{ release: string; z: string }>(
    'SELECT release, z::text AS z FROM embeddings WHERE device_id = $1 AND seq = $2',
    [deviceId, seq],
  );
  const row = rows[0];
  if (!row) throw new NotFoundError('case', `${deviceId}/${seq}`);
  return { deviceId, seq, release: row.release, z: parseVector(row.z) };
}

/** ECG embeddings of one release nearest to `z`. */
export async function nearestEcgs(
  db: SqlDriver,
  release: ReleaseRow,
  z: Float32Array,
  k: number,
  filter: EcgFilter = {},
): Promise<EcgHit[]> {
  const d = Math.trunc(release.sharedDim);
  const params: unknown[] = [vectorText(z), release.id, k];
  const where = ['release = $2'];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.patientId !== undefined) add('patient_id = ?', filter.patientId);
  if (filter.deviceId !== undefined) add('device_id = ?', filter.deviceId);
  if (filter.from !== undefined) add('t0 >= ?::timestamptz', filter.from);
  if (filter.to !== undefined) add('t0 <= ?::timestamptz', filter.to);
  const { rows } = await db.query<EcgHit>(
    `SELECT device_id AS "deviceId", seq::float8 AS seq, to_char(t0 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS t0,
            release, patient_id AS "patientId", study_id AS "studyId",
            1 - (z::vector(${d}) <=> $1::vector(${d})) AS score
     FROM embeddings WHERE ${where.join(' AND ')}
     ORDER BY z::vector(${d}) <=> $1::vector(${d}) LIMIT $3`,
    params,
  );
  return rows;
}

/** Reports of one release nearest to `z`. */
export async function nearestRecords(
  db: SqlDriver,
  release: ReleaseRow,
  z: Float32Array,
  k: number,
  patientId?: string,
): Promise<RecordHit[]> {
  const d = Math.trunc(release.sharedDim);
  const params: unknown[] = [vectorText(z), release.id, k];
  let extra = '';
  if (patientId !== undefined) {
    params.push(patientId);
    extra = 'AND r.patient_id = $4';
  }
  const { rows } = await db.query<RecordHit>(
    `SELECT r.id, r.patient_id AS "patientId", r.study_id AS "studyId",
            to_char(r.effective AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS effective,
            r.text, r.codes, v.release, 1 - (v.z::vector(${d}) <=> $1::vector(${d})) AS score
     FROM record_vectors v JOIN clinical_records r ON r.id = v.record_id
     WHERE v.release = $2 ${extra}
     ORDER BY v.z::vector(${d}) <=> $1::vector(${d}) LIMIT $3`,
    params,
  );
  return rows;
}

/** ECGs matching free text: the text is encoded by every live release and the hits merged by score. */
export async function ecgsForText(
  db: SqlDriver,
  releases: ReleaseCatalog,
  text: string,
  k: number,
  filter: EcgFilter = {},
): Promise<EcgHit[]> {
  const live = (await releases.live()).filter((r) => filter.release === undefined || r.id === filter.release);
  const lists = await Promise.all(
    live.map(async (release) => {
      const model = await releases.model(release.id);
      return nearestEcgs(db, release, model.encodeText([text]), k, filter);
    }),
  );
  return mergeTop(lists, k);
}

/** ECGs like a stored one (itself excluded), in its own release's space. */
export async function similarCases(
  db: SqlDriver,
  releases: ReleaseCatalog,
  deviceId: string,
  seq: number,
  k: number,
  filter: EcgFilter = {},
): Promise<EcgHit[]> {
  const query = await storedCase(db, deviceId, seq);
  const release = await releases.row(query.release);
  if (!release) throw new NotFoundError('release', query.release);
  const hits = await nearestEcgs(db, release, query.z, k + 1, filter);
  return hits.filter((h) => !(h.deviceId === deviceId && h.seq === seq)).slice(0, k);
}

/** Reports nearest to a stored ECG, in its release's space. */
export async function reportsForEcg(
  db: SqlDriver,
  releases: ReleaseCatalog,
  deviceId: string,
  seq: number,
  k: number,
): Promise<RecordHit[]> {
  const query = await storedCase(db, deviceId, seq);
  const release = await releases.row(query.release);
  if (!release) throw new NotFoundError('release', query.release);
  return nearestRecords(db, release, query.z, k);
}

/** ECGs nearest to a stored report, searched in every live release that encoded it. */
export async function ecgsForRecord(
  db: SqlDriver,
  releases: ReleaseCatalog,
  recordId: string,
  k: number,
  filter: EcgFilter = {},
): Promise<EcgHit[]> {
  const { rows } = await db.query<{ release: string; z: string }>(
    'SELECT release, z::text AS z FROM record_vectors WHERE record_id = $1',
    [recordId],
  );
  if (rows.length === 0) throw new NotFoundError('record', recordId);
  const lists = await Promise.all(
    rows.map(async (row) => {
      const release = await releases.row(row.release);
      return release?.live ? nearestEcgs(db, release, parseVector(row.z), k, filter) : [];
    }),
  );
  return mergeTop(lists, k);
}
