import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ModelError } from '@heartline/model/errors';
import type { CgDmerModel } from '@heartline/model/nn';
import { exportEcgEncoderOnnx } from '@heartline/model/onnx';
import type { EncoderRuntime } from '@heartline/model/runtime';
import { sharedDataForTest } from '@heartline/node-io';
import {
  maxAbsDiff,
  perturbedModel,
  realWindows,
  rowCosine,
  syntheticWindows,
  tfReference,
  type WindowBatch,
} from '@heartline/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxNodeEncoder } from './onnx-node-runtime.js';
import { OnnxWebEncoder } from './onnx-web-runtime.js';

const require = createRequire(import.meta.url);
/** onnxruntime-web's .wasm files sit next to its Node entry in the package's dist folder. */
export const ORT_WEB_WASM = `${pathToFileURL(dirname(require.resolve('onnxruntime-web'))).href}/`;

const runtimes = {
  'onnxruntime-node': (bytes: Uint8Array) => OnnxNodeEncoder.create(bytes, { threads: 1 }),
  'onnxruntime-web (wasm)': (bytes: Uint8Array) =>
    OnnxWebEncoder.create(bytes, { threads: 1, wasmPaths: ORT_WEB_WASM }),
} as const;

const dataDir = sharedDataForTest('ptbxl-500');

let model: CgDmerModel;
let synthetic: WindowBatch;
let real: WindowBatch | undefined;
const bytes: Record<'float32' | 'float16' | 'int8', Uint8Array> = {} as never;

beforeAll(async () => {
  model = await perturbedModel();
  for (const precision of ['float32', 'float16', 'int8'] as const) {
    bytes[precision] = exportEcgEncoderOnnx({ config: model.config, weights: model.getWeights(), precision });
  }
  synthetic = syntheticWindows(10);
  // One window with every lead masked: both sides must pool it to zeros rather than divide by zero.
  synthetic.leadMask.fill(0, 9 * 12, 10 * 12);
  if (dataDir) real = await realWindows(dataDir, 10);
}, 120_000);

afterAll(() => model?.dispose());

async function encode(runtime: EncoderRuntime, b: WindowBatch): Promise<Float32Array> {
  try {
    return await runtime.run(b.windows, b.leadMask, b.batch);
  } finally {
    await runtime.release();
  }
}

for (const [name, create] of Object.entries(runtimes)) {
  describe(`ECG encoder ONNX export on ${name}`, () => {
    it('matches TF.js within 1e-4 on synthetic windows with leads masked (float32)', async () => {
      const expected = tfReference(model, synthetic);
      const actual = await encode(await create(bytes.float32), synthetic);
      const diff = maxAbsDiff(actual, expected);
      console.log(`${name} float32 synthetic: max abs diff ${diff.toExponential(2)}`);
      expect(actual.length).toBe(10 * model.config.ecgDim);
      expect(diff).toBeLessThanOrEqual(1e-4);
      // The all-masked window pools to exactly zero in both.
      expect(actual.subarray(9 * 64).every((v) => v === 0)).toBe(true);
    });

    it.skipIf(!dataDir)(
      'matches TF.js within 1e-4 on PTB-XL windows with leads masked (float32)',
      async () => {
        const b = real as WindowBatch;
        const expected = tfReference(model, b);
        const actual = await encode(await create(bytes.float32), b);
        const diff = maxAbsDiff(actual, expected);
        console.log(`${name} float32 PTB-XL (${b.batch} windows): max abs diff ${diff.toExponential(2)}`);
        expect(diff).toBeLessThanOrEqual(1e-4);
      },
    );

    for (const precision of ['float16', 'int8'] as const) {
      it(`keeps cosine ≥ 0.999 per window against TF.js with ${precision} weights`, async () => {
        const batches = real ? [synthetic, real] : [synthetic];
        let worst = 1;
        for (const b of batches) {
          const expected = tfReference(model, b);
          const actual = await encode(await create(bytes[precision]), b);
          for (let i = 0; i < b.batch; i++) {
            // An all-masked window is zeros in both; cosine is undefined there.
            if (b.leadMask.subarray(i * 12, i * 12 + 12).every((m) => m === 0)) continue;
            worst = Math.min(worst, rowCosine(actual, expected, model.config.ecgDim, i));
          }
        }
        console.log(
          `${name} ${precision}: worst per-window cosine ${worst.toFixed(6)} (${bytes[precision].length} B)`,
        );
        expect(worst).toBeGreaterThanOrEqual(0.999);
      });
    }

    it('throws ModelError when the model bytes are truncated to half', async () => {
      const half = bytes.float32.subarray(0, bytes.float32.length >> 1);
      await expect(create(half)).rejects.toBeInstanceOf(ModelError);
    });

    it('throws ModelError when the model bytes are 4 KiB of seeded garbage', async () => {
      const garbage = new Uint8Array(4096).map((_, i) => (i * 2654435761) >>> 24);
      await expect(create(garbage)).rejects.toMatchObject({ code: 'MODEL' });
    });

    it('throws RangeError naming windows.length when a window has 999 samples per lead', async () => {
      const runtime = await create(bytes.float32);
      try {
        await expect(runtime.run(new Float32Array(12 * 999), new Uint8Array(12), 1)).rejects.toThrow(
          /windows\.length = 11988/,
        );
      } finally {
        await runtime.release();
      }
    });
  });
}
