/**
 * The one encoder-runtime API every device implements (onnxruntime-node, onnxruntime-web, …), shaped like
 * ONNX Runtime's js API: a static async `create(modelBytes, options)` factory, `run`, `release`.
 */
import { ModelError } from '../errors.js';

/** Options of an encoder runtime's `create`. */
export interface EncoderRuntimeOptions {
  /** Intra-op threads. Default 1 (a device core; also what the benchmarks measure). */
  readonly threads?: number;
  /** Leads per window the model expects. Default 12. */
  readonly leads?: number;
  /** Samples per lead per window. Default 1000. */
  readonly samples?: number;
  /** Names the model in error messages (e.g. a file path or release id). Default 'onnx model'. */
  readonly source?: string;
}

/** A loaded ECG encoder session. */
export interface EncoderRuntime {
  /** Leads per window the session takes. */
  readonly leads: number;
  /** Samples per lead per window. */
  readonly samples: number;
  /**
   * Encodes `batch` windows: `windows` [batch × leads × samples] row-major, `leadMask` [batch × leads]
   * (1 = usable) → h_ecg [batch × ecgDim]. Throws RangeError on wrong sizes, ModelError when the run fails.
   */
  run(windows: Float32Array, leadMask: Uint8Array, batch: number): Promise<Float32Array>;
  /** Frees the session; `run` must not be called afterwards. */
  release(): Promise<void>;
}

/** A factory as the runtimes' static `create`. */
export type EncoderRuntimeFactory = (
  modelBytes: Uint8Array,
  options?: EncoderRuntimeOptions,
) => Promise<EncoderRuntime>;

/** The resolved shape options with defaults applied. */
export function runtimeShape(options: EncoderRuntimeOptions = {}): {
  leads: number;
  samples: number;
  threads: number;
  source: string;
} {
  return {
    leads: options.leads ?? 12,
    samples: options.samples ?? 1000,
    threads: options.threads ?? 1,
    source: options.source ?? 'onnx model',
  };
}

/** Checks `run`'s arguments, throwing a RangeError that quotes the parameter; returns the float32 lead mask. */
export function checkRunArguments(
  windows: Float32Array,
  leadMask: Uint8Array,
  batch: number,
  leads: number,
  samples: number,
): Float32Array {
  if (!Number.isInteger(batch) || batch < 1)
    throw new RangeError(`run: batch = ${batch} must be an integer ≥ 1`);
  if (windows.length !== batch * leads * samples) {
    throw new RangeError(
      `run: windows.length = ${windows.length} must be batch × ${leads} × ${samples} = ${batch * leads * samples}`,
    );
  }
  if (leadMask.length !== batch * leads) {
    throw new RangeError(
      `run: leadMask.length = ${leadMask.length} must be batch × ${leads} = ${batch * leads}`,
    );
  }
  const mask = new Float32Array(leadMask.length);
  for (let i = 0; i < mask.length; i++) mask[i] = leadMask[i] ? 1 : 0;
  return mask;
}

/** Wraps a runtime's load failure as a ModelError that says what to check. */
export function loadError(source: string, cause: unknown): ModelError {
  const why = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
  return new ModelError(
    source,
    `cannot load the ONNX model (${why}): the file is corrupt, truncated or not ONNX`,
    {
      cause,
    },
  );
}
