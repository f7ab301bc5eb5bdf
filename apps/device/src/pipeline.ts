/**
 * One window's path through the device: raw window → preprocessing (one preprocessor, filters designed
 * once) → lead mask and quality → encoder → embedding message. Only the embedding leaves this function;
 * the raw signal stays on the device.
 */

import {
  type EmbeddingMessage,
  type EmbeddingPrecision,
  encodeEmbeddingMessage,
  flushSubnormal,
  leadMaskBits,
} from '@heartline/contract';
import { createPreprocessor, type PreprocessOptions } from '@heartline/ecg/signal';
import type { EcgWindow } from './sources/index.js';

/** The encoder the pipeline calls (a SwappableEncoder, or any session with a release label). */
export interface WindowEncoder {
  /** Release id of the session that will run next. */
  readonly label: string;
  run(windows: Float32Array, leadMask: Uint8Array, batch: number): Promise<Float32Array>;
}

/** Options of `createPipeline`. */
export interface PipelineOptions {
  readonly deviceId: string;
  readonly encoder: WindowEncoder;
  /** Preprocessing of the release (its `input.preprocessing`). Default: the model defaults. */
  readonly preprocessing?: PreprocessOptions;
  /** How h travels. Default 'f32'. */
  readonly precision?: EmbeddingPrecision;
}

/** A window ready to be queued: everything but its sequence number. */
export interface EncodedWindow {
  readonly message: Omit<EmbeddingMessage, 'seq'>;
  /** CBOR bytes of the message with sequence number `seq`. */
  readonly encode: (seq: number) => Uint8Array;
}

/** What `encodeWindow` returns: an encoded window, or why it was skipped. */
export type PipelineResult =
  | { readonly ok: true; readonly window: EncodedWindow; readonly quality: number }
  | { readonly ok: false; readonly reason: string; readonly quality: number };

/** Builds the per-window function of one device. */
export function createPipeline(options: PipelineOptions): (window: EcgWindow) => Promise<PipelineResult> {
  const preprocess = createPreprocessor({ ...options.preprocessing, windowSeconds: 10, partial: 'pad' });
  const precision = options.precision ?? 'f32';
  return async (window) => {
    const result = preprocess(window.signal);
    const quality = result.quality.score;
    if (result.windowCount < 1) return { ok: false, reason: 'window shorter than 10 s', quality };
    // With no usable lead there is nothing to pool: the encoder's mean would be 0/0.
    if (!result.leadMask.some((v) => v === 1)) return { ok: false, reason: 'every lead is off', quality };
    const samples = result.windows.subarray(0, 12 * result.windowLength);
    // A swap may commit between reading the label and the run; run again until both name one session,
    // so an embedding is never stamped with the wrong release.
    let release: string;
    let h: Float32Array;
    do {
      release = options.encoder.label;
      h = await options.encoder.run(samples, result.leadMask, 1);
    } while (release !== options.encoder.label);
    const message: Omit<EmbeddingMessage, 'seq'> = {
      v: 1,
      deviceId: options.deviceId,
      t0: Math.round(window.t0),
      release,
      leadMask: leadMaskBits(result.leadMask),
      quality: flushSubnormal(Math.min(1, Math.max(0, quality))),
      ...(window.patientId === undefined ? {} : { patientId: window.patientId }),
      ...(window.studyId === undefined ? {} : { studyId: window.studyId }),
      h: Float32Array.from(h, flushSubnormal),
    };
    return {
      ok: true,
      quality,
      window: { message, encode: (seq) => encodeEmbeddingMessage({ ...message, seq }, precision) },
    };
  };
}
