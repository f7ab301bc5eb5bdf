/**
 * The ECG encoder on onnxruntime-node (the native CPU build shipped in the package): the only file that
 * imports onnxruntime-node.
 */
import { ModelError } from '@heartline/model/errors';
import {
  checkRunArguments,
  type EncoderRuntime,
  type EncoderRuntimeOptions,
  loadError,
  runtimeShape,
} from '@heartline/model/runtime';
import * as ort from 'onnxruntime-node';

/** An ECG encoder session on onnxruntime-node. */
export class OnnxNodeEncoder implements EncoderRuntime {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly leads: number,
    readonly samples: number,
    private readonly source: string,
  ) {}

  /** Loads ONNX model bytes; throws ModelError when they are not a loadable model. */
  static async create(modelBytes: Uint8Array, options: EncoderRuntimeOptions = {}): Promise<OnnxNodeEncoder> {
    const { leads, samples, threads, source } = runtimeShape(options);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(modelBytes, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
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
    return new OnnxNodeEncoder(session, leads, samples, source);
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
