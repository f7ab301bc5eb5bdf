/**
 * The raw ECG of a cloud-held case, read from the imported folder's 100 Hz WFDB record: all 12 leads in
 * canonical order (I, II, III, aVR, aVL, aVF, V1–V6) in physical units: mV (records in µV or V converted),
 * or `NU` when the record's leads are in normalised units (already z-scored by its source, e.g. PTB-XL
 * copies), so the dashboard does not draw z-scores as millivolts. A lead the record lacks is zeros; an
 * invalid sample (NaN in the file) is null.
 */
import { join } from 'node:path';
import { mapLeads } from '@heartline/ecg/signal';
import { readWfdbRecord } from '@heartline/node-io';
import { NotFoundError } from '../errors.js';
import type { Waveform } from '../http/routes/queries.js';
import type { DatasetEcg } from '../storage/dataset-ecgs.js';

/** What `GET /cases/{deviceId}/{seq}/waveform` returns. */
export type { Waveform };

/** Reads the record of an imported case. NotFoundError when its files are no longer there. */
export async function readWaveform(ecg: DatasetEcg): Promise<Waveform> {
  let record: Awaited<ReturnType<typeof readWfdbRecord>>;
  try {
    record = await readWfdbRecord(join(ecg.folder, ecg.recordPath));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError('raw ECG file', `${ecg.recordPath} in the imported folder`);
    }
    throw error;
  }
  const { signal, leadMask } = mapLeads(record.signal());
  const normalised = signal.units?.some((u, slot) => u === 'normalised' && leadMask[slot] === 1) ?? false;
  return {
    fs: signal.sampleRate,
    leads: [...signal.leadNames],
    units: normalised ? 'NU' : 'mV',
    signals: signal.leads.map((lead) => Array.from(lead, (v) => (Number.isNaN(v) ? null : v))),
  };
}
