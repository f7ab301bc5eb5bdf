import type { CaseSummary } from '../http/routes/queries.js';
import type { SqlDriver } from '../storage/driver.js';

/** A stored case as `GET /cases` lists it. */
export type { CaseSummary };

/** The newest cases by window start (optionally of one device), newest first. */
export async function recentCases(db: SqlDriver, k: number, deviceId?: string): Promise<CaseSummary[]> {
  const params: unknown[] = [k];
  let where = '';
  if (deviceId !== undefined) {
    params.push(deviceId);
    where = 'WHERE device_id = $2';
  }
  const { rows } = await db.query<CaseSummary>(
    `SELECT device_id AS "deviceId", seq::float8 AS seq, to_char(t0 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS t0,
            release, patient_id AS "patientId", study_id AS "studyId"
     FROM embeddings ${where} ORDER BY t0 DESC, device_id, seq DESC LIMIT $1`,
    params,
  );
  return rows;
}
