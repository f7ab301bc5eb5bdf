/**
 * The ECG encoder on onnxruntime-node (the native CPU build shipped in the package): the only file that
 * imports onnxruntime-node.
 */
import { type EncoderRuntimeOptions, runtimeShape } from '@heartline/model/runtime';
import * as ort from 'onnxruntime-node';
import { OnnxSessionEncoder, openSession } from './onnx-session-encoder.js';

/** An ECG encoder session on onnxruntime-node. */
export class OnnxNodeEncoder extends OnnxSessionEncoder {
  /** Loads ONNX model bytes; throws ModelError when they are not a loadable model. */
  static async create(modelBytes: Uint8Array, options: EncoderRuntimeOptions = {}): Promise<OnnxNodeEncoder> {
    const { leads, samples, threads, source } = runtimeShape(options);
    const session = await openSession(
      () =>
        ort.InferenceSession.create(modelBytes, {
          intraOpNumThreads: threads,
          interOpNumThreads: 1,
          executionMode: 'sequential',
          graphOptimizationLevel: 'all',
        }),
      source,
    );
    return new OnnxNodeEncoder(session, ort.Tensor, leads, samples, source);
  }
}
