import type { Benchmark } from './benchmark.js';

/** Every benchmark `pnpm bench` knows, in run order. */
export const benchmarks: readonly Benchmark[] = [];
