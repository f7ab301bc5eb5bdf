/**
 * The ECG encoder on onnxruntime-web's wasm backend (browsers, and Node for tests and benchmarks): the only
 * file that imports onnxruntime-web. `ort.env.wasm` is global to the page, so the first `create` fixes
 * the thread count and where the .wasm files are fetched from.
 */
import { ModelError } from '@heartline/model/errors';
import {
  checkRunArguments,
  type EncoderRuntime,
  type EncoderRuntimeOptions,
  loadError,
  runtimeShape,
} from '@heartline/model/runtime';
// The wasm-only build: in a browser the default entry would load the 28 MB WebGPU/JSEP binary instead
// of the 14 MB plain one, doubling the model's load time for an execution provider never used here.
import * as ort from 'onnxruntime-web/wasm';

/** Options of `OnnxWebEncoder.create`. */
export interface OnnxWebEncoderOptions extends EncoderRuntimeOptions {
  /**
   * Where onnxruntime-web's `ort-wasm-*.wasm`/`.mjs` files are served (a URL prefix ending in '/'; in
   * Node, the package's `dist/` folder as a file URL). Default: next to the onnxruntime-web script (also found in Node).
   */
  readonly wasmPaths?: string;
}

/** An ECG encoder session on onnxruntime-web (wasm execution provider). */
export class OnnxWebEncoder implements EncoderRuntime {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly leads: number,
    readonly samples: number,
    private readonly source: string,
  ) {}

  /** Loads ONNX model bytes; throws ModelError when they are not a loadable model. */
  static async create(modelBytes: Uint8Array, options: OnnxWebEncoderOptions = {}): Promise<OnnxWebEncoder> {
    const { leads, samples, threads, source } = runtimeShape(options);
    ort.env.wasm.numThreads = threads;
    if (options.wasmPaths !== undefined) ort.env.wasm.wasmPaths = options.wasmPaths;
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(modelBytes, {
        executionProviders: ['wasm'],
        graphOptimizationLevel: 'all',
      });
    } catch (cause) {
      throw loadError(source, cause);
    }
    if (!session.inputNames.includes('ecg') || !session.inputNames.includes('lead_mask')) {
      await session.release();
      throw new ModelError(
        source,
        `has inputs [${session.inputNames.join(', ')}], expected ecg and lead_mask`,
      );
    }
    return new OnnxWebEncoder(session, leads, samples, source);
  }

  /** See EncoderRuntime.run. */
  async run(windows: Float32Array, leadMask: Uint8Array, batch: number): Promise<Float32Array> {
    const mask = checkRunArguments(windows, leadMask, batch, this.leads, this.samples);
    const feeds = {
      ecg: new ort.Tensor('float32', windows, [batch, this.leads, this.samples]),
      lead_mask: new ort.Tensor('float32', mask, [batch, this.leads]),
    };
    let output: ort.Tensor | undefined;
    try {
      output = (await this.session.run(feeds)).h_ecg;
    } catch (cause) {
      throw new ModelError(this.source, `inference failed (${(cause as Error).message})`, { cause });
    }
    if (output?.type !== 'float32') throw new ModelError(this.source, 'has no float32 output h_ecg');
    return output.data as Float32Array;
  }

  /** See EncoderRuntime.release. */
  async release(): Promise<void> {
    await this.session.release();
  }
}
