/**
 * The draft report of a stored case (`GET /cases/{deviceId}/{seq}/draft`): its nearest stored reports in
 * its release's space and its zero-shot class scores (the searches and scores `…/reports` and
 * `…/diagnosis` answer), with the release's calibrated thresholds, handed to the pure `draftReport`.
 * Records linked to the case itself (its study, or its own signed report) are left out of its
 * neighbours: a draft must not copy the report it is meant to stand in for.
 */
import { type DraftNeighbour, draftReport } from '@heartline/model/report';
import type { PromptLanguage } from '@heartline/model/text';
import { NotFoundError } from '../errors.js';
import type { DraftReport } from '../http/routes/clinical.js';
import type { ReleaseCatalog } from '../releases/release-models.js';
import { releaseThresholds } from '../releases/release-thresholds.js';
import type { SqlDriver } from '../storage/driver.js';
import { nearestRecords, storedCase } from './search.js';
import { zeroShot } from './zero-shot.js';

/** Neighbouring reports a draft is made from (default). */
export const DRAFT_NEIGHBOURS = 10;

/** A case's draft as `GET /cases/{deviceId}/{seq}/draft` answers it: with the class set it scored. */
export type { DraftReport };

/**
 * Language, and the case each report came from (a case of its study, or the case it signs), of the
 * records `ids`, excluding the records linked to the case (device, seq).
 */
async function recordContext(
  db: SqlDriver,
  ids: readonly string[],
  deviceId: string,
  seq: number,
): Promise<Map<string, { language: string | null; caseRef: string | null }>> {
  const { rows } = await db.query<{ id: string; language: string | null; caseRef: string | null }>(
    `SELECT r.id, r.language,
            (SELECT e.device_id || '/' || e.seq FROM embeddings e
             WHERE (r.case_device_id = e.device_id AND r.case_seq = e.seq)
                OR (r.study_id IS NOT NULL AND e.study_id = r.study_id)
             ORDER BY e.t0 DESC, e.device_id, e.seq LIMIT 1) AS "caseRef"
     FROM clinical_records r, embeddings c
     WHERE r.id = ANY($1::text[]) AND c.device_id = $2 AND c.seq = $3
       AND NOT coalesce(r.case_device_id = c.device_id AND r.case_seq = c.seq, false)
       AND NOT coalesce(c.study_id IS NOT NULL AND r.study_id = c.study_id, false)`,
    [ids, deviceId, seq],
  );
  return new Map(rows.map((r) => [r.id, { language: r.language, caseRef: r.caseRef }]));
}

/** Drafts the report of case (deviceId, seq) in `language`; NotFoundError for an unknown case. */
export async function caseDraft(
  db: SqlDriver,
  releases: ReleaseCatalog,
  deviceId: string,
  seq: number,
  language: PromptLanguage,
  k = DRAFT_NEIGHBOURS,
): Promise<DraftReport> {
  const stored = await storedCase(db, deviceId, seq);
  const row = await releases.row(stored.release);
  if (!row) throw new NotFoundError('release', stored.release);
  const model = await releases.model(row.id);
  // A few more than k, for the case's own records that drop out.
  const hits = await nearestRecords(db, row, stored.z, k + 5);
  const context = await recordContext(
    db,
    hits.map((h) => h.id),
    deviceId,
    seq,
  );
  const neighbours: DraftNeighbour[] = hits
    .filter((h) => context.has(h.id))
    .slice(0, k)
    .map((h) => {
      const { language: stated, caseRef } = context.get(h.id)!;
      return {
        recordId: h.id,
        text: h.text,
        codes: h.codes,
        score: h.score,
        language: stated,
        ...(caseRef !== null ? { caseRef } : {}),
      };
    });
  const { source, thresholds, classSet } = await releaseThresholds(releases, row);
  const classScores = zeroShot(model, stored.z, classSet).map((c) => ({
    code: c.code,
    similarity: c.similarity,
  }));
  const draft = draftReport({
    language,
    releaseId: row.id,
    neighbours,
    classScores,
    thresholds,
    thresholdSource: source,
  });
  return {
    ...draft,
    statements: draft.statements.map((s) => ({ ...s, sources: [...s.sources] })),
    codes: [...draft.codes],
    deviceId,
    seq,
    classSet,
  };
}
