import { openPtbxlFolder } from '@heartline/node-io';
import type { ReleaseCatalog } from '../releases/release-models.js';
import type { SqlDriver } from '../storage/driver.js';
import { ingestRecords } from './ingest-records.js';
import type { RecordInput } from './record-input.js';

/** PTB-XL's `recording_date` (`YYYY-MM-DD HH:MM:SS`, no zone) as ISO 8601, read as UTC. */
export function isoOf(recordingDate: string | undefined): string | undefined {
  if (!recordingDate || !/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(recordingDate)) return undefined;
  return `${recordingDate.replace(' ', 'T')}Z`;
}

/**
 * Imports the reports of a PTB-XL-layout folder as clinical records: id `ptbxl-<ecg_id>`, study id the
 * `ecg_id`, patient `patient_id`, SCP codes as codes. Signals are not read here (`importPtbxlEcgs`
 * reads and encodes them).
 */
export async function importPtbxlRecords(
  db: SqlDriver,
  releases: ReleaseCatalog,
  dir: string,
  options: { limit?: number } = {},
): Promise<number> {
  const folder = await openPtbxlFolder(dir, {
    includeSignals: false,
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
  });
  const inputs: RecordInput[] = [];
  for (const row of folder.rows) {
    if (!row.report.raw.trim()) continue;
    const effective = isoOf(row.recordingDate);
    inputs.push({
      id: `ptbxl-${row.ecgId}`,
      studyId: String(row.ecgId),
      ...(row.patientId !== undefined ? { patientId: String(Math.trunc(row.patientId)) } : {}),
      ...(effective ? { effective } : {}),
      text: row.report.raw,
      codes: Object.keys(row.scpCodes),
    });
  }
  return (await ingestRecords(db, releases, inputs, 'ptbxl')).length;
}
