/** Replays a PTB-XL-layout folder record by record; each window carries patientId and studyId (= ecg_id). */
import { openPtbxlFolder } from '@heartline/node-io';
import {
  type EcgSource,
  type EcgWindow,
  paceWindow,
  type SourceOptions,
  sliceWindows,
} from './ecg-source.js';

/** Options of `ptbxlSource`. */
export interface PtbxlSourceOptions extends SourceOptions {
  /** Which waveform copy to read. Default 500 (what a recorder delivers; the device resamples). */
  readonly rate?: 100 | 500;
  /** Read at most this many records. Default: all. */
  readonly limit?: number;
  /** Start again from the first record after the last one. Default false. */
  readonly loop?: boolean;
}

/** A source replaying the records of the PTB-XL-layout folder `dir`, skipping records whose files are absent. */
export function ptbxlSource(dir: string, options: PtbxlSourceOptions = {}): EcgSource {
  const pacing = options.pacing ?? 'fast';
  const windowSeconds = options.windowSeconds ?? 10;
  return {
    name: `ptbxl:${dir}`,
    async *windows(abort?: AbortSignal): AsyncGenerator<EcgWindow> {
      const windowMs = windowSeconds * 1000;
      const startedAt = options.startTime ?? Date.now();
      let index = 0;
      do {
        const folder = await openPtbxlFolder(dir, {
          rate: options.rate ?? 500,
          ...(options.limit === undefined ? {} : { limit: options.limit }),
        });
        if (folder.summary.present === 0) return;
        for await (const record of folder.records()) {
          if (record.signal === undefined) continue;
          const ids = {
            studyId: String(record.ecgId),
            ...(record.patientId === undefined ? {} : { patientId: String(record.patientId) }),
          };
          for (const slice of sliceWindows(
            record.signal,
            Math.round(windowSeconds * record.signal.sampleRate),
          )) {
            if (abort?.aborted) return;
            await paceWindow(pacing, startedAt, index, windowMs / (options.speed ?? 1), abort);
            if (abort?.aborted) return;
            yield { signal: slice, t0: startedAt + index * windowMs, index, ...ids };
            index++;
          }
        }
      } while (options.loop);
    },
  };
}
