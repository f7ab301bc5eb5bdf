import type { SqlDriver } from './driver.js';
import { vectorText } from './vector-text.js';

/** A clinical record (report) as the cloud stores it. */
export interface ClinicalRecord {
  readonly id: string;
  readonly patientId?: string | undefined;
  readonly studyId?: string | undefined;
  /** ISO 8601 time the report refers to. */
  readonly effective?: string | undefined;
  readonly text: string;
  readonly language?: string | undefined;
  readonly codes: readonly string[];
  /** Where it came from: `json`, `fhir`, `ptbxl`. */
  readonly source: string;
}

/**
 * Upserts records and their shared vectors for one release (`z` holds `records.length × dim` values) in
 * one transaction. Returns the number of records written.
 */
export async function upsertRecords(
  db: SqlDriver,
  records: readonly ClinicalRecord[],
  vectors: readonly { release: string; z: Float32Array; dim: number }[],
): Promise<number> {
  if (records.length === 0) return 0;
  return db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO clinical_records (id, patient_id, study_id, effective, text, language, codes, source)
       SELECT u.id, u.p, u.s, u.e::timestamptz, u.t, u.l, string_to_array(u.c, '|'), u.src
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
         AS u(id, p, s, e, t, l, c, src)
       ON CONFLICT (id) DO UPDATE SET patient_id = excluded.patient_id, study_id = excluded.study_id,
         effective = excluded.effective, text = excluded.text, language = excluded.language,
         codes = excluded.codes, source = excluded.source`,
      [
        records.map((r) => r.id),
        records.map((r) => r.patientId ?? null),
        records.map((r) => r.studyId ?? null),
        records.map((r) => r.effective ?? null),
        records.map((r) => r.text),
        records.map((r) => r.language ?? null),
        records.map((r) => r.codes.join('|')),
        records.map((r) => r.source),
      ],
    );
    for (const v of vectors) {
      await tx.query(
        `INSERT INTO record_vectors (record_id, release, z)
         SELECT u.id, $2, u.z::real[] FROM unnest($1::text[], $3::text[]) AS u(id, z)
         ON CONFLICT (record_id, release) DO UPDATE SET z = excluded.z`,
        [records.map((r) => r.id), v.release, records.map((_, i) => vectorText(v.z, i * v.dim, v.dim))],
      );
    }
    return records.length;
  });
}
