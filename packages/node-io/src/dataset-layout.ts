import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetError } from '@heartline/ecg/errors';
import { listWfdbRecords, readWfdbHeader } from './wfdb/index.js';

/**
 * What a data folder is: `ptbxl` (a `ptbxl_database.csv` with `scp_statements.csv`, with or without
 * waveforms: PhysioNet's download, a partial copy, or `heartline synth` output), `challenge` (PhysioNet/CinC
 * Challenge `.hea` + `.mat` whose headers carry `# Dx:` SNOMED CT codes) or `wfdb` (a plain WFDB folder:
 * the records its `RECORDS` file lists, else every `.hea` under it; no reports, no labels).
 */
export type DatasetLayout =
  | { readonly kind: 'ptbxl' }
  | { readonly kind: 'challenge' }
  | { readonly kind: 'wfdb'; readonly records: readonly string[]; readonly from: 'RECORDS' | 'scan' };

const EXPECTED =
  'expected a PTB-XL-layout folder (ptbxl_database.csv, scp_statements.csv, records100/ or records500/), ' +
  'a PhysioNet Challenge folder (.hea + .mat with # Dx: codes) or a plain WFDB folder (a RECORDS file, or .hea records)';

/** Finds out which layout `dir` has; a {@link DatasetError} naming the three layouts when it has none. */
export async function detectDatasetLayout(dir: string): Promise<DatasetLayout> {
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new DatasetError(dir, `not a folder; ${EXPECTED}`);
  if (existsSync(join(dir, 'ptbxl_database.csv'))) return { kind: 'ptbxl' };
  const { records, from } = await listWfdbRecords(dir);
  if (records.length === 0) throw new DatasetError(dir, `holds no WFDB record; ${EXPECTED}`);
  const first = await readWfdbHeader(records[0]!);
  if (first.comments.some((c) => /^dx\s*:/i.test(c.trim()))) return { kind: 'challenge' };
  return { kind: 'wfdb', records, from };
}
