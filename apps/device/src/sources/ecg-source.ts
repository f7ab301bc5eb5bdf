/**
 * What every ECG source yields: 10 s windows of a multi-lead signal in physical units (mV) at the
 * source's own rate, each with its start time and, when the source knows them, patient and study ids.
 */
import type { MultiLeadSignal } from '@heartline/ecg/signal';

/** One window of raw ECG as it leaves a source (it never leaves the device). */
export interface EcgWindow {
  /** The window's samples, every lead `seconds × sampleRate` long. */
  readonly signal: MultiLeadSignal;
  /** Window start, ms since the epoch. */
  readonly t0: number;
  /** 0-based index of the window within this run of the source. */
  readonly index: number;
  /** Patient id when the source knows it (PTB-XL `patient_id`). */
  readonly patientId?: string;
  /** Study id when the source knows it (PTB-XL `ecg_id`). */
  readonly studyId?: string;
}

/** A stream of windows; iterate once. */
export interface EcgSource {
  /** Names the source in status lines and logs (e.g. `synthetic:7`). */
  readonly name: string;
  /** Yields windows until the source ends or `signal` aborts. */
  windows(signal?: AbortSignal): AsyncGenerator<EcgWindow>;
}

/** How a replay is paced: like the recording (`realtime`) or as fast as the device can encode (`fast`). */
export type Pacing = 'realtime' | 'fast';

/** Options every source takes. */
export interface SourceOptions {
  /** Default 'fast'. */
  readonly pacing?: Pacing;
  /** Window length in seconds. Default 10. */
  readonly windowSeconds?: number;
  /** Real-time pacing runs this many times faster than the recording (tests, demos). Default 1. */
  readonly speed?: number;
  /** Start time of window 0, ms since the epoch. Default: `Date.now()` when iteration starts. */
  readonly startTime?: number;
}

/**
 * Waits, under real-time pacing, until window `index` has been "recorded" (its end time has passed);
 * resolves at once under fast pacing or when `signal` aborts.
 */
export async function paceWindow(
  pacing: Pacing,
  startedAt: number,
  index: number,
  windowMs: number,
  signal?: AbortSignal,
): Promise<void> {
  if (pacing === 'fast' || signal?.aborted) return;
  const wait = startedAt + (index + 1) * windowMs - Date.now();
  if (wait <= 0) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, wait);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Cuts a signal into whole windows of `windowSamples` (views, no copies); a shorter tail is dropped. */
export function sliceWindows(signal: MultiLeadSignal, windowSamples: number): MultiLeadSignal[] {
  const length = signal.leads[0]?.length ?? 0;
  const out: MultiLeadSignal[] = [];
  for (let start = 0; start + windowSamples <= length; start += windowSamples) {
    out.push({
      sampleRate: signal.sampleRate,
      leadNames: signal.leadNames,
      leads: signal.leads.map((lead) => lead.subarray(start, start + windowSamples)),
    });
  }
  return out;
}

/**
 * Replays a record's windows (`slices`, each `windowSeconds` long) paced as `options` says, once or, with
 * `loop`, again and again, numbering them from 0 and stamping each with its start time.
 */
export async function* replayWindows(
  slices: readonly MultiLeadSignal[],
  options: SourceOptions & { readonly loop?: boolean | undefined },
  abort?: AbortSignal,
): AsyncGenerator<EcgWindow> {
  if (slices.length === 0) return;
  const pacing = options.pacing ?? 'fast';
  const windowMs = (options.windowSeconds ?? 10) * 1000;
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
}
