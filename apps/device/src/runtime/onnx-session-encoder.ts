/**
 * The ECG encoder over an ONNX Runtime session, whichever package made it: onnxruntime-node and
 * onnxruntime-web share this API (both re-export onnxruntime-common), so only session creation differs.
 */
import { ModelError } from '@heartline/model/errors';
import { checkRunArguments, type EncoderRuntime, loadError } from '@heartline/model/runtime';

/** The part of an ONNX Runtime `InferenceSession` the encoder uses. */
export interface OrtSession {
  readonly inputNames: readonly string[];
  run(
    feeds: Record<string, unknown>,
  ): Promise<Record<string, { readonly type: string; readonly data: unknown }>>;
  release(): Promise<void>;
}

/** The package's `Tensor` constructor, for float32 data. */
export type OrtTensorConstructor = new (
  type: 'float32',
  data: Float32Array,
  dims: readonly number[],
) => unknown;

/** Refuses (and releases) a session whose model lacks the encoder's inputs `ecg` and `lead_mask`. */
export async function checkEncoderInputs(session: OrtSession, source: string): Promise<void> {
  if (session.inputNames.includes('ecg') && session.inputNames.includes('lead_mask')) return;
  await session.release();
  throw new ModelError(source, `has inputs [${session.inputNames.join(', ')}], expected ecg and lead_mask`);
}

/**
 * Creates a session with `create` (the runtime package's `InferenceSession.create`): a ModelError when the
 * bytes do not load, refused (and released) when the model lacks the encoder's inputs.
 */
export async function openSession<S extends OrtSession>(
  create: () => Promise<S>,
  source: string,
): Promise<S> {
  let session: S;
  try {
    session = await create();
  } catch (cause) {
    throw loadError(source, cause);
  }
  await checkEncoderInputs(session, source);
  return session;
}

/** An ECG encoder session: `ecg` + `lead_mask` in, float32 `h_ecg` out. */
export class OnnxSessionEncoder implements EncoderRuntime {
  protected constructor(
    private readonly session: OrtSession,
    private readonly Tensor: OrtTensorConstructor,
    readonly leads: number,
    readonly samples: number,
    private readonly source: string,
  ) {}

  /** See EncoderRuntime.run. */
  async run(windows: Float32Array, leadMask: Uint8Array, batch: number): Promise<Float32Array> {
    const mask = checkRunArguments(windows, leadMask, batch, this.leads, this.samples);
    const feeds = {
      ecg: new this.Tensor('float32', windows, [batch, this.leads, this.samples]),
      lead_mask: new this.Tensor('float32', mask, [batch, this.leads]),
    };
    let output: { readonly type: string; readonly data: unknown } | undefined;
    try {
      output = (await this.session.run(feeds))['h_ecg'];
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
