import type { Benchmark } from './benchmark.js';
import { clinicianLoopBenchmark } from './clinician-loop.bench.js';
import { datasetScaleBenchmark } from './dataset-scale.bench.js';
import { decodePreprocessBenchmark } from './decode-preprocess.bench.js';
import { ingestBenchmark } from './ingest.bench.js';
import { modelDemoBenchmark } from './model-quality.bench.js';
import { modelRealBenchmark } from './model-real.bench.js';
import { onnxEncoderBenchmark } from './onnx-encoder.bench.js';
import { quantisedQualityBenchmark } from './quantised-quality.bench.js';
import { queryBenchmark } from './query.bench.js';
import { trainStepBenchmark } from './train-step.bench.js';

/** Every benchmark `pnpm bench` knows, in run order. */
export const benchmarks: readonly Benchmark[] = [
  decodePreprocessBenchmark,
  onnxEncoderBenchmark,
  modelDemoBenchmark,
  quantisedQualityBenchmark,
  modelRealBenchmark,
  clinicianLoopBenchmark,
  trainStepBenchmark,
  ingestBenchmark,
  queryBenchmark,
  datasetScaleBenchmark,
];
