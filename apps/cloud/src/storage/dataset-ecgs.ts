import type { SqlDriver } from './driver.js';
import type { EmbeddingRow } from './embeddings.js';
import { float32Bytes, vectorText } from './vector-text.js';

/** A stored case whose raw ECG the cloud holds: an imported record of a PTB-XL-layout folder. */
export interface DatasetEcg {
  readonly deviceId: string;
  readonly seq: number;
  /** The folder as given to the import. */
  readonly folder: string;
  /** The 100 Hz WFDB record, relative to the folder (e.g. `records100/00000/00001_lr`). */
  readonly recordPath: string;
}

/**
 * Stores imported ECGs as cases (embeddings of their pseudo-device) with the files they came from, in
 * one transaction. A re-import replaces the cases (e.g. encoded by a newer release) and gives them new
 * ids and this transaction's id, so the in-process vector index, which follows the table by transaction,
 * takes their new vectors.
 */
export async function upsertDatasetCases(
  db: SqlDriver,
  rows: readonly (EmbeddingRow & { readonly folder: string; readonly recordPath: string })[],
): Promise<number> {
  if (rows.length === 0) return 0;
  return db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO embeddings (device_id, seq, t0, release, lead_mask, quality, patient_id, study_id, h, z)
       SELECT u.d, u.s, to_timestamp(u.t / 1000.0), u.r, u.m, u.q, u.p, u.st, u.h, u.z::real[]
       FROM unnest($1::text[], $2::bigint[], $3::float8[], $4::text[], $5::smallint[], $6::real[],
                   $7::text[], $8::text[], $9::bytea[], $10::text[]) AS u(d, s, t, r, m, q, p, st, h, z)
       ON CONFLICT (device_id, seq) DO UPDATE SET t0 = excluded.t0, release = excluded.release,
         lead_mask = excluded.lead_mask, quality = excluded.quality, patient_id = excluded.patient_id,
         study_id = excluded.study_id, h = excluded.h, z = excluded.z, received = now(),
         id = nextval(pg_get_serial_sequence('embeddings', 'id')), xid = pg_current_xact_id()`,
      [
        rows.map((r) => r.deviceId),
        rows.map((r) => r.seq),
        rows.map((r) => r.t0),
        rows.map((r) => r.release),
        rows.map((r) => r.leadMask),
        rows.map((r) => r.quality),
        rows.map((r) => r.patientId ?? null),
        rows.map((r) => r.studyId ?? null),
        rows.map((r) => float32Bytes(r.h)),
        rows.map((r) => vectorText(r.z)),
      ],
    );
    await tx.query(
      `INSERT INTO dataset_ecgs (device_id, seq, folder, record_path)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[])
       ON CONFLICT (device_id, seq) DO UPDATE SET folder = excluded.folder, record_path = excluded.record_path`,
      [
        rows.map((r) => r.deviceId),
        rows.map((r) => r.seq),
        rows.map((r) => r.folder),
        rows.map((r) => r.recordPath),
      ],
    );
    return rows.length;
  });
}

/** The raw-ECG location of a case, or undefined for device cases (their raw ECG never leaves the device). */
export async function findDatasetEcg(
  db: SqlDriver,
  deviceId: string,
  seq: number,
): Promise<DatasetEcg | undefined> {
  const { rows } = await db.query<DatasetEcg>(
    `SELECT device_id AS "deviceId", seq::float8 AS seq, folder, record_path AS "recordPath"
     FROM dataset_ecgs WHERE device_id = $1 AND seq = $2`,
    [deviceId, seq],
  );
  return rows[0];
}
