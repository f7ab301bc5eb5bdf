/**
 * Signed reports: a clinician's decision on a case's draft, stored with the clinical record it made. The
 * record, its shared vectors and the sign-off are written in one transaction, so a case is either
 * signed with its record or not at all; a second sign-off of the same case is refused (one per case).
 */
import type { SignOff } from '../http/routes/clinical.js';
import type { SqlDriver } from './driver.js';
import { vectorText } from './vector-text.js';

/** A sign-off as `POST /cases/{deviceId}/{seq}/sign-off` answers it. */
export type { SignOff };

/** The clinical record a sign-off makes (absent for a rejected draft). */
export interface SignedRecord {
  readonly id: string;
  readonly patientId: string | null;
  readonly studyId: string | null;
  /** The case's recording time (ISO 8601), so the record also links by patient and time. */
  readonly effective: string;
  readonly text: string;
  readonly language: string;
  readonly codes: readonly string[];
  /** The record's shared vector in each live release (`z` of length `dim`). */
  readonly vectors: readonly { release: string; z: Float32Array; dim: number }[];
}

/** What a sign-off stores. */
export interface NewSignOff {
  readonly deviceId: string;
  readonly seq: number;
  readonly decision: SignOff['decision'];
  readonly tokenId: string;
  readonly role: string;
  readonly signedBy: string;
  readonly draftReleaseId: string;
  readonly language: string;
  readonly draft: unknown;
  readonly statements: readonly string[];
  readonly codes: readonly string[];
  readonly editDistance: number;
  readonly record: SignedRecord | undefined;
}

interface SignOffRow {
  id: string | number;
  device_id: string;
  seq: string | number;
  decision: SignOff['decision'];
  record_id: string | null;
  token_id: string;
  role: string;
  signed_by: string;
  draft_release: string;
  language: string;
  statements: string[];
  codes: string[];
  edit_distance: number;
  signed: Date | string;
}

const COLUMNS = `id, device_id, seq, decision, record_id, token_id, role, signed_by, draft_release, language,
  statements, codes, edit_distance, signed`;

function signOffOf(r: SignOffRow): SignOff {
  return {
    id: Number(r.id),
    deviceId: r.device_id,
    seq: Number(r.seq),
    decision: r.decision,
    recordId: r.record_id,
    tokenId: r.token_id,
    role: r.role,
    signedBy: r.signed_by,
    draftReleaseId: r.draft_release,
    language: r.language as SignOff['language'],
    statements: r.statements,
    codes: r.codes,
    editDistance: r.edit_distance,
    signedAt: new Date(r.signed).toISOString(),
  };
}

/**
 * Stores a sign-off and its record in one transaction. Undefined when the case was signed already (the
 * transaction is rolled back, so the earlier record stays as it was).
 */
export async function insertSignOff(db: SqlDriver, s: NewSignOff): Promise<SignOff | undefined> {
  class AlreadySigned extends Error {}
  try {
    return await db.transaction(async (tx) => {
      const taken = await tx.query('SELECT 1 FROM sign_offs WHERE device_id = $1 AND seq = $2 FOR UPDATE', [
        s.deviceId,
        s.seq,
      ]);
      if (taken.rows.length > 0) throw new AlreadySigned();
      const r = s.record;
      if (r) {
        await tx.query(
          `INSERT INTO clinical_records
             (id, patient_id, study_id, effective, text, language, codes, source, case_device_id, case_seq)
           VALUES ($1, $2, $3, $4::timestamptz, $5, $6, $7::text[], 'sign-off', $8, $9)`,
          [r.id, r.patientId, r.studyId, r.effective, r.text, r.language, r.codes, s.deviceId, s.seq],
        );
        for (const v of r.vectors) {
          await tx.query('INSERT INTO record_vectors (record_id, release, z) VALUES ($1, $2, $3::real[])', [
            r.id,
            v.release,
            vectorText(v.z, 0, v.dim),
          ]);
        }
      }
      const { rows } = await tx.query<SignOffRow>(
        `INSERT INTO sign_offs (device_id, seq, decision, record_id, token_id, role, signed_by, draft_release,
           language, draft, statements, codes, edit_distance)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::text[], $12::text[], $13)
         ON CONFLICT (device_id, seq) DO NOTHING
         RETURNING ${COLUMNS}`,
        [
          s.deviceId,
          s.seq,
          s.decision,
          r?.id ?? null,
          s.tokenId,
          s.role,
          s.signedBy,
          s.draftReleaseId,
          s.language,
          JSON.stringify(s.draft),
          s.statements,
          s.codes,
          s.editDistance,
        ],
      );
      if (!rows[0]) throw new AlreadySigned();
      return signOffOf(rows[0]);
    });
  } catch (error) {
    // A racing sign-off of the same case can also meet the record's primary key first.
    if (error instanceof AlreadySigned) return undefined;
    if (await signOffOfCase(db, s.deviceId, s.seq)) return undefined;
    throw error;
  }
}

/** The sign-off of a case, if it has one. */
export async function signOffOfCase(
  db: SqlDriver,
  deviceId: string,
  seq: number,
): Promise<SignOff | undefined> {
  const { rows } = await db.query<SignOffRow>(
    `SELECT ${COLUMNS} FROM sign_offs WHERE device_id = $1 AND seq = $2`,
    [deviceId, seq],
  );
  return rows[0] && signOffOf(rows[0]);
}

/** The sign-off that made a clinical record, if one did. */
export async function signOffOfRecord(db: SqlDriver, recordId: string): Promise<SignOff | undefined> {
  const { rows } = await db.query<SignOffRow>(`SELECT ${COLUMNS} FROM sign_offs WHERE record_id = $1`, [
    recordId,
  ]);
  return rows[0] && signOffOf(rows[0]);
}
