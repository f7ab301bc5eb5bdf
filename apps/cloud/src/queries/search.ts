/**
 * Searches in the shared spaces. Vectors are comparable only within a release, so every query runs per
 * live release and the hits are merged by cosine score. Device embeddings are searched through the
 * in-process vector index when the cloud has one (PGlite, or a server without pgvector), else through
 * the release's partial pgvector HNSW index; reports through pgvector where it is installed. Without
 * pgvector, what the index cannot answer (and every report search) is an exact scan: the rows stream
 * from the database page by page and are scored here.
 */
import { NotFoundError } from '../errors.js';
import type { EcgHit, RecordHit } from '../http/routes/queries.js';
import type { ReleaseCatalog } from '../releases/release-models.js';
import type { SqlDriver } from '../storage/driver.js';
import type { ReleaseRow } from '../storage/releases.js';
import { parseVector, vectorText } from '../storage/vector-text.js';
import type { EcgVectorIndex } from '../vector-index/ecg-vector-index.js';
import { cosine, norm, TopK } from './top-k.js';

/** An ECG hit and a report hit, as `GET /search/ecgs` and `/cases/{deviceId}/{seq}/reports` answer them. */
export type { EcgHit, RecordHit };

/** Where device embeddings are searched: the database, and the in-process index when there is one. */
export interface EcgStore {
  readonly db: SqlDriver;
  readonly ecgIndex?: EcgVectorIndex | undefined;
}

/** Candidates taken from the index per requested hit when filters apply (the rest are filtered out). */
const FILTERED_OVERFETCH = 20;
/** Most candidates taken from the index for one filtered query before falling back to SQL. */
const MAX_CANDIDATES = 2000;

/** Filters on device embeddings. */
export interface EcgFilter {
  readonly patientId?: string | undefined;
  readonly deviceId?: string | undefined;
  /** ISO times bounding the window start. */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly release?: string | undefined;
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

const HIT_COLUMNS = `device_id AS "deviceId", seq::float8 AS seq,
  to_char(t0 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS t0,
  release, patient_id AS "patientId", study_id AS "studyId"`;

const RECORD_HIT_COLUMNS = `r.id, r.patient_id AS "patientId", r.study_id AS "studyId",
  to_char(r.effective AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS effective,
  r.text, r.codes, v.release`;

/** SQL conditions (from parameter `$first` on) and their values for a filter. */
function filterSql(filter: EcgFilter, first: number): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${first + params.length - 1}`));
  };
  if (filter.patientId !== undefined) add('patient_id = ?', filter.patientId);
  if (filter.deviceId !== undefined) add('device_id = ?', filter.deviceId);
  if (filter.from !== undefined) add('t0 >= ?::timestamptz', filter.from);
  if (filter.to !== undefined) add('t0 <= ?::timestamptz', filter.to);
  return { where, params };
}

function hasFilter(filter: EcgFilter): boolean {
  return (
    filter.patientId !== undefined ||
    filter.deviceId !== undefined ||
    filter.from !== undefined ||
    filter.to !== undefined
  );
}

/** Rows an exact scan reads per statement. */
const SCAN_PAGE = 5000;

/**
 * Scores every row a paged query returns against `z` and keeps the best `k`. `page(after)` returns the
 * rows after the key `after` (keys ascending), each with its key and vector.
 */
async function exactTopK<Row>(
  z: Float32Array,
  k: number,
  page: (after: string | undefined) => Promise<(Row & { key: string; z: string | number[] })[]>,
): Promise<(Row & { score: number })[]> {
  const top = new TopK<Row>(k);
  const zNorm = norm(z);
  let after: string | undefined;
  for (;;) {
    const rows = await page(after);
    for (const { key: _key, z: vector, ...row } of rows) {
      top.offer(row as Row, cosine(z, zNorm, parseVector(vector)));
    }
    if (rows.length < SCAN_PAGE) break;
    after = rows.at(-1)!.key;
  }
  return top.result().map(({ item, score }) => ({ ...item, score }));
}

/**
 * ECG embeddings of one release nearest to `z`, in the database: through pgvector where installed (HNSW
 * on a server, else exact), else an exact scan.
 */
async function nearestEcgsSql(
  db: SqlDriver,
  release: ReleaseRow,
  z: Float32Array,
  k: number,
  filter: EcgFilter,
): Promise<EcgHit[]> {
  const d = Math.trunc(release.sharedDim);
  if (db.pgvector) {
    const extra = filterSql(filter, 4);
    const { rows } = await db.query<EcgHit>(
      `SELECT ${HIT_COLUMNS}, 1 - (z::vector(${d}) <=> $1::real[]::vector(${d})) AS score
       FROM embeddings WHERE ${['release = $2', ...extra.where].join(' AND ')}
       ORDER BY z::vector(${d}) <=> $1::real[]::vector(${d}) LIMIT $3`,
      [vectorText(z), release.id, k, ...extra.params],
    );
    return rows;
  }
  const extra = filterSql(filter, 4);
  return exactTopK<Omit<EcgHit, 'score'>>(z, k, async (after) => {
    const { rows } = await db.query<Omit<EcgHit, 'score'> & { key: string; z: string }>(
      `SELECT id::text AS key, ${HIT_COLUMNS}, z::text AS z FROM embeddings
       WHERE ${['release = $1', 'id > $2::bigint', ...extra.where].join(' AND ')}
       ORDER BY embeddings.id LIMIT $3`,
      [release.id, after ?? '0', SCAN_PAGE, ...extra.params],
    );
    return rows;
  });
}

/**
 * Through the in-process index: candidates by similarity, then their rows (and the filter) from the
 * database. Rows gone or moved to another release (a re-imported case has a new id) drop out, so a few
 * more candidates than `k` are taken. Undefined when a filter left fewer than `k` of all the candidates
 * the index gave while it had more: the caller searches exactly in SQL instead.
 */
async function nearestEcgsIndexed(
  store: EcgStore & { ecgIndex: EcgVectorIndex },
  release: ReleaseRow,
  z: Float32Array,
  k: number,
  filter: EcgFilter,
): Promise<EcgHit[] | undefined> {
  const filtered = hasFilter(filter);
  const wanted = filtered ? Math.min(MAX_CANDIDATES, k * FILTERED_OVERFETCH) : k + Math.max(8, k);
  const candidates = await store.ecgIndex.nearest(release.num, z, wanted);
  if (candidates.length === 0) return [];
  const extra = filterSql(filter, 3);
  // The candidates are looked up by id first (materialised): left to itself, the planner may AND the id
  // lookup with a scan of every row of the release (its index on release, with stale statistics).
  const { rows } = await store.db.query<Omit<EcgHit, 'score'> & { id: string }>(
    `WITH candidates AS MATERIALIZED (
       SELECT id, device_id, seq, t0, release, patient_id, study_id FROM embeddings WHERE id = ANY($1::bigint[]))
     SELECT id::text AS id, ${HIT_COLUMNS} FROM candidates
     WHERE ${['release = $2', ...extra.where].join(' AND ')}`,
    [candidates.map((c) => c.id.toString()), release.id, ...extra.params],
  );
  const scores = new Map(candidates.map((c) => [c.id.toString(), c.score]));
  const hits = rows
    .map(({ id, ...row }) => ({ ...row, score: scores.get(id)! }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
  const exhausted = candidates.length < wanted;
  return hits.length < k && !exhausted ? undefined : hits;
}

/** ECG embeddings of one release nearest to `z`. */
export async function nearestEcgs(
  store: EcgStore,
  release: ReleaseRow,
  z: Float32Array,
  k: number,
  filter: EcgFilter = {},
): Promise<EcgHit[]> {
  const { ecgIndex } = store;
  if (ecgIndex?.usable) {
    const hits = await nearestEcgsIndexed({ ...store, ecgIndex }, release, z, k, filter);
    if (hits) return hits;
  }
  return nearestEcgsSql(store.db, release, z, k, filter);
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
  if (db.pgvector) {
    const params: unknown[] = [vectorText(z), release.id, k];
    let extra = '';
    if (patientId !== undefined) {
      params.push(patientId);
      extra = 'AND r.patient_id = $4';
    }
    const { rows } = await db.query<RecordHit>(
      `SELECT ${RECORD_HIT_COLUMNS}, 1 - (v.z::vector(${d}) <=> $1::real[]::vector(${d})) AS score
       FROM record_vectors v JOIN clinical_records r ON r.id = v.record_id
       WHERE v.release = $2 ${extra}
       ORDER BY v.z::vector(${d}) <=> $1::real[]::vector(${d}) LIMIT $3`,
      params,
    );
    return rows;
  }
  return exactTopK<Omit<RecordHit, 'score'>>(z, k, async (after) => {
    const params: unknown[] = [release.id, after ?? '', SCAN_PAGE];
    if (patientId !== undefined) params.push(patientId);
    const { rows } = await db.query<Omit<RecordHit, 'score'> & { key: string; z: string }>(
      `SELECT r.id AS key, ${RECORD_HIT_COLUMNS}, v.z::text AS z
       FROM record_vectors v JOIN clinical_records r ON r.id = v.record_id
       WHERE v.release = $1 AND v.record_id > $2 ${patientId !== undefined ? 'AND r.patient_id = $4' : ''}
       ORDER BY v.record_id LIMIT $3`,
      params,
    );
    return rows;
  });
}

/** ECGs matching free text: the text is encoded by every live release and the hits merged by score. */
export async function ecgsForText(
  store: EcgStore,
  releases: ReleaseCatalog,
  text: string,
  k: number,
  filter: EcgFilter = {},
): Promise<EcgHit[]> {
  const live = (await releases.live()).filter((r) => filter.release === undefined || r.id === filter.release);
  const lists = await Promise.all(
    live.map(async (release) => {
      const model = await releases.model(release.id);
      return nearestEcgs(store, release, model.encodeText([text]), k, filter);
    }),
  );
  return mergeTop(lists, k);
}

/** ECGs like a stored one (itself excluded), in its own release's space. */
export async function similarCases(
  store: EcgStore,
  releases: ReleaseCatalog,
  deviceId: string,
  seq: number,
  k: number,
  filter: EcgFilter = {},
): Promise<EcgHit[]> {
  const query = await storedCase(store.db, deviceId, seq);
  const release = await releases.row(query.release);
  if (!release) throw new NotFoundError('release', query.release);
  const hits = await nearestEcgs(store, release, query.z, k + 1, filter);
  return hits.filter((h) => !(h.deviceId === deviceId && h.seq === seq)).slice(0, k);
}

/** Reports nearest to a stored ECG, in its release's space. */
export async function reportsForEcg(
  store: EcgStore,
  releases: ReleaseCatalog,
  deviceId: string,
  seq: number,
  k: number,
): Promise<RecordHit[]> {
  const query = await storedCase(store.db, deviceId, seq);
  const release = await releases.row(query.release);
  if (!release) throw new NotFoundError('release', query.release);
  return nearestRecords(store.db, release, query.z, k);
}

/** ECGs nearest to a stored report, searched in every live release that encoded it. */
export async function ecgsForRecord(
  store: EcgStore,
  releases: ReleaseCatalog,
  recordId: string,
  k: number,
  filter: EcgFilter = {},
): Promise<EcgHit[]> {
  const { rows } = await store.db.query<{ release: string; z: string }>(
    'SELECT release, z::text AS z FROM record_vectors WHERE record_id = $1',
    [recordId],
  );
  if (rows.length === 0) throw new NotFoundError('record', recordId);
  const lists = await Promise.all(
    rows.map(async (row) => {
      const release = await releases.row(row.release);
      return release?.live ? nearestEcgs(store, release, parseVector(row.z), k, filter) : [];
    }),
  );
  return mergeTop(lists, k);
}
