/**
 * The clinician's worklist (`GET /worklist`): device cases without a sign-off, the ones the model is
 * least sure of first. Of the newest `window` unsigned cases each gets its zero-shot margin (top minus
 * second class probability, in the class set its release's thresholds were chosen for) and its distance
 * to the nearest stored report of its release (1 − cosine: out of distribution when large), then the pure
 * `orderWorklist` ranks them. The report distances come from one exact pass over each release's report
 * vectors for all candidate cases together (not one search per case). Imported dataset cases are not
 * device recordings awaiting a report, so they are left out.
 */
import { orderWorklist } from '@heartline/model/report';
import type { WorklistItem } from '../http/routes/clinical.js';
import type { ReleaseCatalog } from '../releases/release-models.js';
import { classSetOf, releaseThresholds } from '../releases/release-thresholds.js';
import type { SqlDriver } from '../storage/driver.js';
import { parseVector } from '../storage/vector-text.js';
import { cosine, norm } from './top-k.js';
import { zeroShot } from './zero-shot.js';

/** One worklist entry. */
export type { WorklistItem };

/** Newest unsigned cases ranked per request (default). */
export const WORKLIST_WINDOW = 500;
const PAGE = 5000;

interface Candidate {
  deviceId: string;
  seq: number;
  t0: string;
  release: string;
  patientId: string | null;
  studyId: string | null;
  z: Float32Array;
}

/** Highest cosine of each case to the reports of `release` (−∞ where there is none). */
async function nearestReportScores(
  db: SqlDriver,
  release: string,
  cases: readonly Candidate[],
): Promise<number[]> {
  const best = cases.map(() => Number.NEGATIVE_INFINITY);
  const norms = cases.map((c) => norm(c.z));
  let after = '';
  for (;;) {
    const { rows } = await db.query<{ id: string; z: string }>(
      `SELECT record_id AS id, z::text AS z FROM record_vectors WHERE release = $1 AND record_id > $2
       ORDER BY record_id LIMIT $3`,
      [release, after, PAGE],
    );
    for (const row of rows) {
      const v = parseVector(row.z);
      cases.forEach((c, i) => {
        const s = cosine(c.z, norms[i]!, v);
        if (s > best[i]!) best[i] = s;
      });
    }
    if (rows.length < PAGE) return best;
    after = rows.at(-1)!.id;
  }
}

/** Unsigned device cases, most unsure first; at most `k`, ranked among the newest `window`. */
export async function worklist(
  db: SqlDriver,
  releases: ReleaseCatalog,
  { k, deviceId, window = WORKLIST_WINDOW }: { k: number; deviceId?: string | undefined; window?: number },
): Promise<WorklistItem[]> {
  const { rows } = await db.query<Omit<Candidate, 'z'> & { z: string }>(
    `SELECT e.device_id AS "deviceId", e.seq::float8 AS seq,
            to_char(e.t0 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS t0, e.release,
            e.patient_id AS "patientId", e.study_id AS "studyId", e.z::text AS z
     FROM embeddings e
     WHERE NOT EXISTS (SELECT 1 FROM sign_offs s WHERE s.device_id = e.device_id AND s.seq = e.seq)
       AND NOT EXISTS (SELECT 1 FROM dataset_ecgs d WHERE d.device_id = e.device_id AND d.seq = e.seq)
       AND ($1::text IS NULL OR e.device_id = $1)
     ORDER BY e.t0 DESC, e.device_id, e.seq LIMIT $2`,
    [deviceId ?? null, window],
  );
  const byRelease = new Map<string, Candidate[]>();
  for (const r of rows) {
    const list = byRelease.get(r.release) ?? [];
    list.push({ ...r, z: parseVector(r.z) });
    byRelease.set(r.release, list);
  }
  const scored: Omit<WorklistItem, 'uncertainty'>[] = [];
  for (const [releaseId, cases] of byRelease) {
    const row = await releases.row(releaseId);
    if (!row) continue;
    const model = await releases.model(releaseId);
    const { thresholds } = await releaseThresholds(releases, row);
    const set = classSetOf(Object.keys(thresholds));
    const nearest = await nearestReportScores(db, releaseId, cases);
    cases.forEach((c, i) => {
      const classes = zeroShot(model, c.z, set);
      const margin = (classes[0]?.probability ?? 0) - (classes[1]?.probability ?? 0);
      const top = nearest[i]!;
      const { z: _z, ...summary } = c;
      scored.push({
        ...summary,
        topClass: classes[0]?.code ?? null,
        margin,
        oodDistance: Number.isFinite(top) ? 1 - top : null,
      });
    });
  }
  return orderWorklist(scored).slice(0, k);
}
