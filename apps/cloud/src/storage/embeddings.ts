import type { SqlDriver } from './driver.js';

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

/** PostgreSQL's type oids of `bytea` and `real` (fixed in the catalogue). */
const BYTEA_OID = 17;
const FLOAT4_OID = 700;

/**
 * A one-dimensional PostgreSQL array in binary wire format (`array_recv`): header, then each element as
 * its byte length and its binary form, all big-endian. Sent as a `Uint8Array` parameter, which both
 * drivers pass in binary, the server reads it without parsing any text.
 */
function binaryArray(
  elementOid: number,
  count: number,
  elementBytes: number,
  write: (view: DataView, offset: number, index: number) => void,
): Uint8Array {
  const bytes = new Uint8Array(20 + count * (4 + elementBytes));
  const view = new DataView(bytes.buffer);
  view.setInt32(0, 1); // dimensions
  view.setInt32(4, 0); // no nulls
  view.setInt32(8, elementOid);
  view.setInt32(12, count);
  view.setInt32(16, 1); // lower bound
  let offset = 20;
  for (let i = 0; i < count; i++) {
    view.setInt32(offset, elementBytes);
    write(view, offset + 4, i);
    offset += 4 + elementBytes;
  }
  return bytes;
}

/** Every vector's values one after the other as one binary `real[]` (row i is the slice i·dim+1 … (i+1)·dim). */
function binaryConcatenatedReals(vectors: readonly Float32Array[], dim: number): Uint8Array {
  return binaryArray(FLOAT4_OID, vectors.length * dim, 4, (view, offset, i) => {
    view.setFloat32(offset, vectors[Math.floor(i / dim)]![i % dim]!);
  });
}

/** `bytea[]` in binary: each element the vector's little-endian float32 bytes (the `h` column's form). */
function binaryFloat32Byteas(vectors: readonly Float32Array[], dim: number): Uint8Array {
  return binaryArray(BYTEA_OID, vectors.length, 4 * dim, (view, offset, i) => {
    const v = vectors[i]!;
    new Uint8Array(view.buffer, offset, 4 * dim).set(new Uint8Array(v.buffer, v.byteOffset, 4 * dim));
  });
}

/** Rows grouped so each group's h and z have one length each (binary arrays have fixed-size elements). */
function groupByDims(rows: readonly EmbeddingRow[]): EmbeddingRow[][] {
  const groups = new Map<string, EmbeddingRow[]>();
  for (const r of rows) {
    const key = `${r.h.length}/${r.z.length}`;
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()];
}

/**
 * Stores a batch in one statement per vector shape (one for a single release): columns travel as
 * PostgreSQL arrays through `unnest`, h as a binary `bytea[]` and every z in one binary `real[]` that each
 * row takes its slice of (no text to format in JavaScript or to parse in the database, the cost that
 * dominated with pgvector's text form), and
 * `ON CONFLICT DO NOTHING` makes a redelivered (device, seq) a no-op. Returns how many rows were new.
 */
export async function insertEmbeddings(
  db: Pick<SqlDriver, 'query'>,
  rows: readonly EmbeddingRow[],
): Promise<number> {
  if (rows.length === 0) return 0;
  let inserted = 0;
  for (const group of groupByDims(rows)) {
    const n = group.length;
    const device = new Array<string>(n);
    const seq = new Array<number>(n);
    const t0 = new Array<number>(n);
    const release = new Array<string>(n);
    const leadMask = new Array<number>(n);
    const quality = new Array<number>(n);
    const patient = new Array<string | null>(n);
    const study = new Array<string | null>(n);
    for (let i = 0; i < n; i++) {
      const r = group[i]!;
      device[i] = r.deviceId;
      seq[i] = r.seq;
      t0[i] = r.t0;
      release[i] = r.release;
      leadMask[i] = r.leadMask;
      quality[i] = r.quality;
      patient[i] = r.patientId ?? null;
      study[i] = r.studyId ?? null;
    }
    const first = group[0]!;
    const h = binaryFloat32Byteas(
      group.map((r) => r.h),
      first.h.length,
    );
    const dim = first.z.length;
    const z = binaryConcatenatedReals(
      group.map((r) => r.z),
      dim,
    );
    const { affectedRows } = await db.query(
      `INSERT INTO embeddings (device_id, seq, t0, release, lead_mask, quality, patient_id, study_id, h, z)
       SELECT u.d, u.s, to_timestamp(u.t / 1000.0), u.r, u.m, u.q, u.p, u.st, u.h,
              ($10::real[])[(u.i - 1) * $11 + 1 : u.i * $11]
       FROM unnest($1::text[], $2::bigint[], $3::float8[], $4::text[], $5::smallint[], $6::real[],
                   $7::text[], $8::text[], $9::bytea[]) WITH ORDINALITY AS u(d, s, t, r, m, q, p, st, h, i)
       ON CONFLICT (device_id, seq) DO NOTHING`,
      [device, seq, t0, release, leadMask, quality, patient, study, h, z, dim],
    );
    inserted += affectedRows;
  }
  return inserted;
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
