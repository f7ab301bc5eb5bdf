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

// The `z` column is pgvector's `vector` where pgvector is installed, else `real[]` (migration 10); its
// type (and pgvector's oid, given when the extension was created) is looked up once per database.
const zColumns = new WeakMap<object, Promise<{ vectorOid: number | undefined }>>();

function zColumn(db: Pick<SqlDriver, 'query'>): Promise<{ vectorOid: number | undefined }> {
  let column = zColumns.get(db);
  if (!column) {
    column = db
      .query<{ type: string; oid: number }>(
        `SELECT atttypid::regtype::text AS type, atttypid::int AS oid FROM pg_attribute
         WHERE attrelid = 'embeddings'::regclass AND attname = 'z'`,
      )
      .then(({ rows }) => ({ vectorOid: rows[0]?.type === 'vector' ? rows[0].oid : undefined }));
    zColumns.set(db, column);
    column.catch(() => zColumns.delete(db));
  }
  return column;
}

/** `vector[]` in binary: each vector is int16 dimension, int16 0, then big-endian float32 values. */
function binaryVectors(oid: number, vectors: readonly Float32Array[], dim: number): Uint8Array {
  return binaryArray(oid, vectors.length, 4 + 4 * dim, (view, offset, i) => {
    const v = vectors[i]!;
    view.setInt16(offset, dim);
    view.setInt16(offset + 2, 0);
    for (let k = 0; k < dim; k++) view.setFloat32(offset + 4 + 4 * k, v[k]!);
  });
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
 * PostgreSQL arrays through `unnest`, h as a binary `bytea[]`, z as a binary `vector[]` (pgvector) or one
 * binary `real[]` of every vector that each row takes its slice of (no text to format in JavaScript or to
 * parse in the database, the cost that dominated with pgvector's text form), and
 * `ON CONFLICT DO NOTHING` makes a redelivered (device, seq) a no-op. Returns how many rows were new.
 */
export async function insertEmbeddings(
  db: Pick<SqlDriver, 'query'>,
  rows: readonly EmbeddingRow[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const { vectorOid } = await zColumn(db);
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
    const zs = group.map((r) => r.z);
    const columns = [device, seq, t0, release, leadMask, quality, patient, study, h];
    const { affectedRows } =
      vectorOid === undefined
        ? await db.query(
            `INSERT INTO embeddings (device_id, seq, t0, release, lead_mask, quality, patient_id, study_id, h, z)
             SELECT u.d, u.s, to_timestamp(u.t / 1000.0), u.r, u.m, u.q, u.p, u.st, u.h,
                    ($10::real[])[(u.i - 1) * $11 + 1 : u.i * $11]
             FROM unnest($1::text[], $2::bigint[], $3::float8[], $4::text[], $5::smallint[], $6::real[],
                         $7::text[], $8::text[], $9::bytea[]) WITH ORDINALITY AS u(d, s, t, r, m, q, p, st, h, i)
             ON CONFLICT (device_id, seq) DO NOTHING`,
            [...columns, binaryConcatenatedReals(zs, dim), dim],
          )
        : await db.query(
            `INSERT INTO embeddings (device_id, seq, t0, release, lead_mask, quality, patient_id, study_id, h, z)
             SELECT u.d, u.s, to_timestamp(u.t / 1000.0), u.r, u.m, u.q, u.p, u.st, u.h, u.z
             FROM unnest($1::text[], $2::bigint[], $3::float8[], $4::text[], $5::smallint[], $6::real[],
                         $7::text[], $8::text[], $9::bytea[], $10::vector[]) AS u(d, s, t, r, m, q, p, st, h, z)
             ON CONFLICT (device_id, seq) DO NOTHING`,
            [...columns, binaryVectors(vectorOid, zs, dim)],
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
