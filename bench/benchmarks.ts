import type { Benchmark } from './benchmark.js';
import { decodePreprocessBenchmark } from './decode-preprocess.bench.js';

/** Every benchmark `pnpm bench` knows, in run order. */
export const benchmarks: readonly Benchmark[] = [decodePreprocessBenchmark];
