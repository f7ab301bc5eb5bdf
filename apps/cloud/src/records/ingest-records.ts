/**
 * Stores clinical records and encodes each with the text encoder of every live release, so a report is
 * searchable in every space queries search.
 */
import { createHash } from 'node:crypto';
import { analyseReport } from '@heartline/ecg/data';
import { ConflictError } from '../errors.js';
import type { ReleaseCatalog } from '../releases/release-models.js';
import type { SqlDriver } from '../storage/driver.js';
import { type ClinicalRecord, upsertRecords } from '../storage/records.js';
import type { RecordInput } from './record-input.js';

const BATCH = 256;

function recordId(r: RecordInput): string {
  const key = `${r.patientId ?? ''}|${r.studyId ?? ''}|${r.effective ?? ''}|${r.text}`;
  return `rec-${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

/** Normalises, encodes and stores records; returns their ids in input order. */
export async function ingestRecords(
  db: SqlDriver,
  releases: ReleaseCatalog,
  inputs: readonly RecordInput[],
  source: string,
): Promise<string[]> {
  const live = await releases.live();
  if (live.length === 0)
    throw new ConflictError('no live release to encode records with: register one first');
  const ids: string[] = [];
  for (let start = 0; start < inputs.length; start += BATCH) {
    const records: ClinicalRecord[] = inputs.slice(start, start + BATCH).map((r) => {
      const report = analyseReport(r.text);
      return {
        id: r.id ?? recordId(r),
        patientId: r.patientId,
        studyId: r.studyId,
        effective: r.effective,
        // Stored as written (what clinicians read); the encoder normalises it as training did.
        text: r.text,
        language: r.language ?? (report.language === 'unknown' ? undefined : report.language),
        codes: r.codes ?? [],
        source,
      };
    });
    const vectors = [];
    for (const release of live) {
      const model = await releases.model(release.id);
      vectors.push({
        release: release.id,
        dim: model.sharedDim,
        z: model.encodeText(records.map((r) => r.text)),
      });
    }
    await upsertRecords(db, records, vectors);
    ids.push(...records.map((r) => r.id));
  }
  return ids;
}
