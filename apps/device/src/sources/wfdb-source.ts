/** Replays one WFDB record from disk as 10 s windows, once or in a loop. */
import { readWfdbRecord } from '@heartline/node-io';
import {
  type EcgSource,
  type EcgWindow,
  paceWindow,
  type SourceOptions,
  sliceWindows,
} from './ecg-source.js';

/** Options of `wfdbSource`. */
export interface WfdbSourceOptions extends SourceOptions {
  /** Start again from the first window after the last one. Default false. */
  readonly loop?: boolean;
}

/** A source replaying the WFDB record at `recordPath` (with or without `.hea`). */
export function wfdbSource(recordPath: string, options: WfdbSourceOptions = {}): EcgSource {
  const pacing = options.pacing ?? 'fast';
  const windowSeconds = options.windowSeconds ?? 10;
  return {
    name: `wfdb:${recordPath}`,
    async *windows(abort?: AbortSignal): AsyncGenerator<EcgWindow> {
      const record = await readWfdbRecord(recordPath);
      const signal = record.signal();
      const windowMs = windowSeconds * 1000;
      const slices = sliceWindows(signal, Math.round(windowSeconds * signal.sampleRate));
      if (slices.length === 0) return;
      const startedAt = options.startTime ?? Date.now();
      let index = 0;
      do {
        for (const slice of slices) {
          if (abort?.aborted) return;
          await paceWindow(pacing, startedAt, index, windowMs / (options.speed ?? 1), abort);
          if (abort?.aborted) return;
          yield { signal: slice, t0: startedAt + index * windowMs, index };
          index++;
        }
      } while (options.loop);
    },
  };
}
