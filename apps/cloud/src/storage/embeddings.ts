import type { SqlDriver } from './driver.js';
import { float32Bytes, vectorText } from './vector-text.js';

/** One validated, projected device embedding ready to store. */
export interface EmbeddingRow {
  readonly deviceId: string;
  readonly seq: number;
  /** Window start, ms since the epoch. */
  readonly t0: number;
  readonly release: string;
  readonly leadMask: number;
  readonly quality: number;
  readonly patientId?: string | undefined;
  readonly studyId?: string | undefined;
  /** h_ecg. */
  readonly h: Float32Array;
  /** Shared-space vector of `release`. */
  readonly z: Float32Array;
}

/**
 * Stores a batch in one statement: columns travel as PostgreSQL arrays through `unnest`, h as raw float32
 * `bytea` (no text parse), and `ON CONFLICT DO NOTHING` makes a redelivered (device, seq) a no-op.
 * Returns how many rows were new.
 */
export async function insertEmbeddings(
  db: Pick<SqlDriver, 'query'>,
  rows: readonly EmbeddingRow[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const n = rows.length;
  const device = new Array<string>(n);
  const seq = new Array<number>(n);
  const t0 = new Array<number>(n);
  const release = new Array<string>(n);
  const leadMask = new Array<number>(n);
  const quality = new Array<number>(n);
  const patient = new Array<string | null>(n);
  const study = new Array<string | null>(n);
  const h = new Array<Uint8Array>(n);
  const z = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    device[i] = r.deviceId;
    seq[i] = r.seq;
    t0[i] = r.t0;
    release[i] = r.release;
    leadMask[i] = r.leadMask;
    quality[i] = r.quality;
    patient[i] = r.patientId ?? null;
    study[i] = r.studyId ?? null;
    h[i] = float32Bytes(r.h);
    z[i] = vectorText(r.z);
  }
  const { affectedRows } = await db.query(
    `INSERT INTO embeddings (device_id, seq, t0, release, lead_mask, quality, patient_id, study_id, h, z)
     SELECT u.d, u.s, to_timestamp(u.t / 1000.0), u.r, u.m, u.q, u.p, u.st, u.h, u.z::vector
     FROM unnest($1::text[], $2::bigint[], $3::float8[], $4::text[], $5::smallint[], $6::real[],
                 $7::text[], $8::text[], $9::bytea[], $10::text[]) AS u(d, s, t, r, m, q, p, st, h, z)
     ON CONFLICT (device_id, seq) DO NOTHING`,
    [device, seq, t0, release, leadMask, quality, patient, study, h, z],
  );
  return affectedRows;
}

/** Number of stored embeddings (optionally of one device). */
export async function countEmbeddings(db: SqlDriver, deviceId?: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    deviceId === undefined
      ? 'SELECT count(*)::int AS n FROM embeddings'
      : 'SELECT count(*)::int AS n FROM embeddings WHERE device_id = $1',
    deviceId === undefined ? [] : [deviceId],
  );
  return rows[0]?.n ?? 0;
}
