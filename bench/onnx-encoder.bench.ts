import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { encodeEmbeddingMessage } from '@heartline/contract';
import { OnnxNodeEncoder, OnnxWebEncoder } from '@heartline/device/runtime';
import { createPreprocessor } from '@heartline/ecg/signal';
import { generateEcg } from '@heartline/ecg/synth';
import { CgDmerModel, resolveConfig } from '@heartline/model/nn';
import { exportEcgEncoderOnnx } from '@heartline/model/onnx';
import type { EncoderRuntime } from '@heartline/model/runtime';
import { selectBackend } from '@heartline/trainer';
import * as tf from '@tensorflow/tfjs-core';
import type { BenchFigure, Benchmark } from './benchmark.js';
import { median } from './benchmark.js';

const require = createRequire(import.meta.url);
const RAW_BYTES = 12 * 5000 * 2;

/** Median ms per call of `fn` over `runs` calls after `warmup` calls. */
async function time(fn: () => Promise<unknown>, warmup: number, runs: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

/** ECG encoder forward, one thread, batch 1: onnxruntime-node, onnxruntime-web (wasm), TF.js wasm; message size. */
export const onnxEncoderBenchmark: Benchmark = {
  name: 'onnx-encoder',
  description:
    'ECG-specific encoder (demo preset: d=64, 2 layers, 4 heads), one 10 s 12-lead window, batch 1, one thread',
  async run(progress) {
    await selectBackend('wasm');
    const model = CgDmerModel.create(resolveConfig(), 'bench');
    const c = model.config;
    const pre = createPreprocessor();
    const r = pre(generateEcg({ seed: 'bench-onnx', sampleRate: 500 }).signal);
    const window = r.windows.slice(0, c.leads * c.windowSamples);
    const mask = r.leadMask.slice();
    const figures: BenchFigure[] = [];
    const wasmPaths = `${pathToFileURL(dirname(require.resolve('onnxruntime-web'))).href}/`;
    const create = {
      'onnxruntime-node': (b: Uint8Array) => OnnxNodeEncoder.create(b, { threads: 1 }),
      'onnxruntime-web wasm': (b: Uint8Array) => OnnxWebEncoder.create(b, { threads: 1, wasmPaths }),
    };
    let nodeMs = Number.NaN;
    let h: Float32Array = new Float32Array(c.ecgDim);
    for (const precision of ['float32', 'int8', 'float16'] as const) {
      const bytes = exportEcgEncoderOnnx({ config: c, weights: model.getWeights(), precision });
      figures.push({ name: `ONNX file size, ${precision} weights`, value: bytes.length, unit: 'B' });
      for (const [name, make] of Object.entries(create)) {
        const runtime: EncoderRuntime = await make(bytes);
        const ms = await time(() => runtime.run(window, mask, 1), 50, 500);
        if (precision === 'float32' && name === 'onnxruntime-node') {
          nodeMs = ms;
          h = await runtime.run(window, mask, 1);
        }
        await runtime.release();
        progress(`${name} ${precision}: ${ms.toFixed(3)} ms`);
        const goal =
          name === 'onnxruntime-node'
            ? { value: 2, better: 'lower' as const }
            : { value: Number((3 * nodeMs).toFixed(2)), better: 'lower' as const };
        figures.push({
          name: `${name}, ${precision} weights (median of 500)`,
          value: ms,
          unit: 'ms',
          ...(precision === 'float32' ? { goal } : {}),
        });
      }
    }
    const x = tf.tensor3d(window, [1, c.leads, c.windowSamples]);
    const m = tf.tensor2d(Float32Array.from(mask), [1, c.leads]);
    const tfMs = await time(
      async () => {
        const out = tf.tidy(() => model.encodeEcg(x, m).hEcg);
        await out.data();
        out.dispose();
      },
      20,
      200,
    );
    progress(`TF.js wasm: ${tfMs.toFixed(3)} ms`);
    figures.push({
      name: 'TF.js wasm backend forward, same weights (median of 200)',
      value: tfMs,
      unit: 'ms',
    });
    x.dispose();
    m.dispose();
    model.dispose();
    for (const precision of ['f16', 'f32'] as const) {
      const message = encodeEmbeddingMessage(
        {
          v: 1,
          deviceId: 'dev-000001',
          seq: 123_456,
          t0: Date.UTC(2026, 10, 25),
          release: 'r20261125T0720-demo-ea2b',
          leadMask: 0xfff,
          quality: 0.97,
          h,
        },
        precision,
      );
      figures.push({
        name: `embedding message (CBOR, 64-d ${precision}) bytes`,
        value: message.length,
        unit: 'B',
      });
      figures.push({
        name: `raw 500 Hz 16-bit window (${RAW_BYTES} B) ÷ ${precision} message`,
        value: Math.round(RAW_BYTES / message.length),
        unit: '×',
        goal: { value: 200, better: 'higher' },
      });
    }
    return figures;
  },
};
