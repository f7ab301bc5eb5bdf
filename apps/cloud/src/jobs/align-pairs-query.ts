/**
 * Align-mode training data from the database: stored device embeddings h_ecg joined to the clinical
 * records linked to them (a clinician's signed report of that very case, the same study, or the same
 * patient within a day of the recording: the linking of `GET /cases/{deviceId}/{seq}`), restricted to embeddings made with the ECG encoder the
 * parent release uses.
 */
import type { AlignPair } from '@heartline/trainer';
import type { SqlDriver } from '../storage/driver.js';
import { listReleases } from '../storage/releases.js';

/** Most pairs one align job reads (the newest first). */
export const MAX_ALIGN_PAIRS = 200_000;

const LINKED = `
  (r.case_device_id = e.device_id AND r.case_seq = e.seq)
  OR (e.study_id IS NOT NULL AND r.study_id = e.study_id)
  OR (e.patient_id IS NOT NULL AND r.patient_id = e.patient_id
      AND r.effective BETWEEN e.t0 - interval '1 day' AND e.t0 + interval '1 day')`;

/**
 * The releases whose devices compute the same h_ecg as `release`: an align release keeps its parent's
 * ECG encoder, so every release descending from the same pretrained one through align steps shares it.
 */
export async function releasesSharingEcgEncoder(db: SqlDriver, release: string): Promise<string[]> {
  const rows = await listReleases(db);
  const parentOf = new Map<string, string | undefined>();
  for (const r of rows) {
    const m = r.manifest as { mode?: unknown; parent?: unknown } | null;
    parentOf.set(r.id, m?.mode === 'align' && typeof m.parent === 'string' ? m.parent : undefined);
  }
  // The pretrained release at the top of the align chain (or the id of an unregistered ancestor).
  const root = (id: string): string => {
    const seen = new Set([id]);
    let at = id;
    for (;;) {
      const up = parentOf.get(at);
      if (up === undefined || seen.has(up)) return at;
      if (!parentOf.has(up)) return up;
      seen.add(up);
      at = up;
    }
  };
  const mine = root(release);
  return rows.map((r) => r.id).filter((id) => root(id) === mine);
}

/** How many stored embeddings of `releases` have a linked record. */
export async function countAlignPairs(db: SqlDriver, releases: readonly string[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM embeddings e
     WHERE e.release = ANY($1::text[])
       AND EXISTS (SELECT 1 FROM clinical_records r WHERE ${LINKED})`,
    [releases],
  );
  return rows[0]?.n ?? 0;
}

/** Little-endian float32 bytes → Float32Array (a copy; byte order explicit). */
function floatsOf(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength >>> 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/**
 * One pair per stored embedding of `releases` that has a linked record: the case's signed report when
 * there is one, else the record of the same study when there is one, else the patient's record closest in time. Newest embeddings first, at most `limit`.
 */
export async function readAlignPairs(
  db: SqlDriver,
  releases: readonly string[],
  limit = MAX_ALIGN_PAIRS,
): Promise<AlignPair[]> {
  const { rows } = await db.query<{ id: string; h: Uint8Array; text: string; codes: string[] }>(
    `SELECT id, h, text, codes FROM (
       SELECT DISTINCT ON (e.device_id, e.seq)
              e.device_id || '/' || e.seq AS id, e.t0, e.h, r.text, r.codes
       FROM embeddings e JOIN clinical_records r ON ${LINKED}
       WHERE e.release = ANY($1::text[])
       ORDER BY e.device_id, e.seq,
                coalesce(r.case_device_id = e.device_id AND r.case_seq = e.seq, false) DESC,
                (e.study_id IS NOT NULL AND r.study_id = e.study_id) DESC,
                abs(extract(epoch FROM r.effective - e.t0)) NULLS LAST, r.id
     ) linked
     ORDER BY t0 DESC LIMIT $2`,
    [releases, limit],
  );
  return rows.map((r) => ({ id: r.id, h: floatsOf(r.h), report: r.text, codes: r.codes ?? [] }));
}
