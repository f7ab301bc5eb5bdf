/**
 * The ECG encoder on onnxruntime-web's wasm backend (browsers, and Node for tests and benchmarks): the only
 * file that imports onnxruntime-web. `ort.env.wasm` is global to the page, so the first `create` fixes
 * the thread count and where the .wasm files are fetched from.
 */
import { type EncoderRuntimeOptions, runtimeShape } from '@heartline/model/runtime';
// The wasm-only build: in a browser the default entry would load the 28 MB WebGPU/JSEP binary instead
// of the 14 MB plain one, doubling the model's load time for an execution provider never used here.
import * as ort from 'onnxruntime-web/wasm';
import { OnnxSessionEncoder, openSession } from './onnx-session-encoder.js';

/** Options of `OnnxWebEncoder.create`. */
export interface OnnxWebEncoderOptions extends EncoderRuntimeOptions {
  /**
   * Where onnxruntime-web's `ort-wasm-*.wasm`/`.mjs` files are served (a URL prefix ending in '/'; in
   * Node, the package's `dist/` folder as a file URL). Default: next to the onnxruntime-web script (also found in Node).
   */
  readonly wasmPaths?: string;
}

/** An ECG encoder session on onnxruntime-web (wasm execution provider). */
export class OnnxWebEncoder extends OnnxSessionEncoder {
  /** Loads ONNX model bytes; throws ModelError when they are not a loadable model. */
  static async create(modelBytes: Uint8Array, options: OnnxWebEncoderOptions = {}): Promise<OnnxWebEncoder> {
    const { leads, samples, threads, source } = runtimeShape(options);
    ort.env.wasm.numThreads = threads;
    if (options.wasmPaths !== undefined) ort.env.wasm.wasmPaths = options.wasmPaths;
    const session = await openSession(
      () =>
        ort.InferenceSession.create(modelBytes, {
          executionProviders: ['wasm'],
          graphOptimizationLevel: 'all',
        }),
      source,
    );
    return new OnnxWebEncoder(session, ort.Tensor, leads, samples, source);
  }
}
