import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { detectDatasetLayout, listWfdbRecords, openPtbxlFolder } from '@heartline/node-io';
import { ptbxlFolderSources, type RecordSource, wfdbRecordSources } from './record-source.js';

/**
 * A data folder's records as cache sources, without reading any signal: `ptbxl` (ECG–report pairs of
 * the given folds), `ptbxl-reports` (a PTB-XL layout whose 100 Hz records of those folds are all absent:
 * report text only, no sources), `challenge` and `wfdb` (ECGs without reports; Challenge labels are not
 * carried into the cache, since only the self-supervised stage uses these ECGs).
 */
export interface FolderSources {
  readonly kind: 'ptbxl' | 'ptbxl-reports' | 'challenge' | 'wfdb';
  readonly sources: readonly RecordSource[];
}

/** Lists `dir`'s records (PTB-XL layout: only those of `folds`) as sources; see {@link FolderSources}. */
export async function folderRecordSources(dir: string, folds: readonly number[]): Promise<FolderSources> {
  const layout = await detectDatasetLayout(dir);
  if (layout.kind === 'ptbxl') {
    const sources = await ptbxlFolderSources(dir, { folds });
    return (await hasAnyRecord(dir, folds))
      ? { kind: 'ptbxl', sources }
      : { kind: 'ptbxl-reports', sources: [] };
  }
  if (layout.kind === 'challenge') {
    const { records } = await listWfdbRecords(dir);
    return { kind: 'challenge', sources: wfdbRecordSources(records, 'challenge') };
  }
  return { kind: 'wfdb', sources: wfdbRecordSources(layout.records, 'wfdb') };
}

/** Whether any 100 Hz record header of `folds` exists (stops at the first found). */
async function hasAnyRecord(dir: string, folds: readonly number[]): Promise<boolean> {
  const folder = await openPtbxlFolder(dir, { rate: 100, includeSignals: false, folds });
  for (const row of folder.rows) {
    const found = await access(join(dir, `${row.filenameLr}.hea`)).then(
      () => true,
      () => false,
    );
    if (found) return true;
  }
  return false;
}
