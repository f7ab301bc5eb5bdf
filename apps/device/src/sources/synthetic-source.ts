/**
 * A live synthetic stream from the seeded generator: window i is `generateEcg` with seed `${seed}/${i}`,
 * so a stream is reproducible. A lead can be made to "fall off" (flat at 0 mV, as an electrode off the
 * skin reads after the amplifier's DC removal) from a given window on.
 */

import { CANONICAL_LEADS } from '@heartline/ecg/signal';
import { generateEcg } from '@heartline/ecg/synth';
import { InvalidArgumentError } from '@heartline/model/errors';
import { type EcgSource, type EcgWindow, paceWindow, type SourceOptions } from './ecg-source.js';

/** Options of `syntheticSource`. */
export interface SyntheticSourceOptions extends SourceOptions {
  /** Seed of the stream. Default 1. */
  readonly seed?: number | string;
  /** SCP codes every window shows (see `MODELLED_CODES`). Default: a random label set per window. */
  readonly conditions?: readonly string[];
  /** Sample rate in Hz. Default 500. */
  readonly sampleRate?: number;
  /** Stop after this many windows. Default: never. */
  readonly limit?: number;
  /** A lead that falls off: canonical name and the first window where it is off. Default: none. */
  readonly leadOff?: { readonly lead: string; readonly fromWindow: number };
}

/** A seeded synthetic 12-lead stream. */
export function syntheticSource(options: SyntheticSourceOptions = {}): EcgSource {
  const pacing = options.pacing ?? 'fast';
  const windowSeconds = options.windowSeconds ?? 10;
  const seed = options.seed ?? 1;
  const offSlot = options.leadOff ? (CANONICAL_LEADS as readonly string[]).indexOf(options.leadOff.lead) : -1;
  if (options.leadOff && offSlot < 0) {
    throw new InvalidArgumentError(
      'leadOff.lead',
      options.leadOff.lead,
      `must be one of ${CANONICAL_LEADS.join(', ')}`,
    );
  }
  const name = `synthetic:${seed}${options.conditions?.length ? `:${options.conditions.join(',')}` : ''}`;
  return {
    name,
    async *windows(abort?: AbortSignal): AsyncGenerator<EcgWindow> {
      const windowMs = windowSeconds * 1000;
      const startedAt = options.startTime ?? Date.now();
      for (let index = 0; options.limit === undefined || index < options.limit; index++) {
        if (abort?.aborted) return;
        await paceWindow(pacing, startedAt, index, windowMs / (options.speed ?? 1), abort);
        if (abort?.aborted) return;
        const ecg = generateEcg({
          seed: `${seed}/${index}`,
          seconds: windowSeconds,
          sampleRate: options.sampleRate ?? 500,
          ...(options.conditions ? { conditions: options.conditions } : {}),
        });
        if (options.leadOff && index >= options.leadOff.fromWindow) ecg.signal.leads[offSlot]?.fill(0);
        yield { signal: ecg.signal, t0: startedAt + index * windowMs, index };
      }
    },
  };
}
