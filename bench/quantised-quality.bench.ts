import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OnnxNodeEncoder } from '@heartline/device/runtime';
import type { CgDmerConfig, CgDmerModel } from '@heartline/model/nn';
import { exportEcgEncoderOnnx, type WeightPrecision } from '@heartline/model/onnx';
import { CLASS_PROMPTS, CLASS_SETS } from '@heartline/model/text';
import {
  type AlignedEncoders,
  evaluate,
  filterExamples,
  loadRelease,
  selectBackend,
  syntheticExamples,
  tfEncoders,
  trainRelease,
} from '@heartline/trainer';
import * as tf from '@tensorflow/tfjs-core';
import type { BenchFigure, Benchmark } from './benchmark.js';

/**
 * Encoders whose ECG side is a precomputed device output (h from an ONNX session) projected into the
 * shared space by the release's TF.js shared encoder; the text side is the release's own.
 */
function deviceEncoders(model: CgDmerModel, tfSide: AlignedEncoders, h: Float32Array): AlignedEncoders {
  const d = model.config.ecgDim;
  return {
    ecgDim: tfSide.ecgDim,
    sharedDim: tfSide.sharedDim,
    encodeEcg(_windows, _masks, n) {
      if (n * d !== h.length) throw new RangeError('deviceEncoders: asked for windows it was not given');
      const zT = tf.tidy(() => model.sharedFromEcg(tf.tensor2d(h, [n, d])));
      const z = zT.dataSync() as Float32Array;
      zT.dispose();
      return { h, z: new Float32Array(z) };
    },
    encodeText: (texts) => tfSide.encodeText(texts),
  };
}

/**
 * Zero-shot macro AUROC on held-out synthetic data with the ECG encoder run as each exported ONNX variant
 * in onnxruntime-node (what devices run), against the TF.js model the variants were exported from.
 * Release: `HEARTLINE_BENCH_RELEASE` when set, else the demo preset trained here (about 3 minutes).
 */
export const quantisedQualityBenchmark: Benchmark = {
  name: 'quantised-quality',
  description:
    'zero-shot macro AUROC of the demo release with its ECG encoder as ONNX float32 / int8 / float16 (onnxruntime-node) vs TF.js',
  async run(progress) {
    await selectBackend(undefined, { log: () => {} });
    const given = process.env['HEARTLINE_BENCH_RELEASE'];
    const dir = given ?? (await mkdtemp(join(tmpdir(), 'heartline-bench-quant-')));
    try {
      if (!given) {
        progress('training the demo release (set HEARTLINE_BENCH_RELEASE to reuse one)');
        await trainRelease({ out: dir, preset: 'demo', dataDirs: [], pairedReports: [], log: progress });
      }
      const release = await loadRelease(dir);
      const config = release.manifest.config as CgDmerConfig;
      const data = syntheticExamples({ n: 1600, seed: 1 });
      const test = filterExamples(data, (i) => data.folds[i]! === 8);
      const tfSide = tfEncoders(release.model, release.tokenizer);
      const options = { classes: classesOf(test.labels), prompts: CLASS_PROMPTS, missingLeads: [] };
      const reference = evaluate(tfSide, test, options).zeroShot.macroAuroc;
      const figures: BenchFigure[] = [
        {
          name: `TF.js (training runtime), n=${test.size}: zero-shot macro AUROC`,
          value: round(reference),
          unit: '',
        },
      ];
      const weights = release.model.getWeights();
      for (const precision of ['float32', 'int8', 'float16'] as const satisfies readonly WeightPrecision[]) {
        progress(`encoding ${test.size} windows with the ${precision} ONNX encoder`);
        const bytes = exportEcgEncoderOnnx({ config, weights, precision });
        const session = await OnnxNodeEncoder.create(bytes, { threads: 1 });
        const window = config.leads * config.windowSamples;
        const h = new Float32Array(test.size * config.ecgDim);
        for (let i = 0; i < test.size; i++) {
          const out = await session.run(
            test.windows.subarray(i * window, (i + 1) * window),
            test.leadMasks.subarray(i * config.leads, (i + 1) * config.leads),
            1,
          );
          h.set(out, i * config.ecgDim);
        }
        await session.release();
        const auroc = evaluate(deviceEncoders(release.model, tfSide, h), test, options).zeroShot.macroAuroc;
        figures.push({
          name: `ONNX ${precision}: zero-shot macro AUROC`,
          value: round(auroc),
          unit: '',
        });
        figures.push({
          name: `ONNX ${precision}: AUROC loss vs TF.js`,
          value: round(reference - auroc, 5),
          unit: '',
          goal: { value: 0.005, better: 'lower' },
        });
      }
      release.model.dispose();
      return figures;
    } finally {
      if (!given) await rm(dir, { recursive: true, force: true });
    }
  },
};

function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The generator's classes present in the labels (as the demo release's own evaluation chooses them). */
function classesOf(labels: readonly (readonly string[])[]): string[] {
  return CLASS_SETS.synthetic.filter((c) => c !== 'SR' && labels.some((l) => l.includes(c)));
}
