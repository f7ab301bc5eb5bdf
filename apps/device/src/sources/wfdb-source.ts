/** Replays one WFDB record from disk as 10 s windows, once or in a loop. */
import { readWfdbRecord } from '@heartline/node-io';
import {
  type EcgSource,
  type EcgWindow,
  replayWindows,
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
  const windowSeconds = options.windowSeconds ?? 10;
  return {
    name: `wfdb:${recordPath}`,
    async *windows(abort?: AbortSignal): AsyncGenerator<EcgWindow> {
      const signal = (await readWfdbRecord(recordPath)).signal();
      yield* replayWindows(
        sliceWindows(signal, Math.round(windowSeconds * signal.sampleRate)),
        options,
        abort,
      );
    },
  };
}
