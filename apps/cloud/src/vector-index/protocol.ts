/** Messages between the cloud's main thread and the vector-index worker (see ann-worker.ts). */
import type { AnnSettings } from './release-vectors.js';

/** What the worker is started with. */
export interface AnnWorkerInput {
  readonly settings: AnnSettings;
  /** Rows moved from a tail into a graph per step (one thread); searches wait at most one step. */
  readonly stepRows: number;
  /**
   * While a tail holds more than `bulkAbove` rows (a start-up rebuild, a burst), steps move `bulkRows`
   * with two threads: faster, and a better graph than many small adds, at the cost of searches waiting
   * up to one such step (~0.1–0.3 s).
   */
  readonly bulkAbove: number;
  readonly bulkRows: number;
}

/** Per-release figures. */
export interface ReleaseVectorStats {
  readonly release: number;
  readonly dim: number;
  readonly indexed: number;
  readonly pending: number;
}

export type AnnRequest =
  | {
      readonly type: 'add';
      readonly release: number;
      readonly dim: number;
      readonly keys: BigUint64Array;
      readonly vectors: Float32Array;
    }
  | {
      readonly type: 'search';
      readonly id: number;
      readonly release: number;
      readonly query: Float32Array;
      readonly k: number;
    }
  /** Writes every release under `dir` with `mark` (the highest embeddings id given so far). */
  | { readonly type: 'save'; readonly id: number; readonly dir: string; readonly mark: string }
  /** Reads what `save` wrote; answers with the mark. */
  | { readonly type: 'load'; readonly id: number; readonly dir: string }
  | { readonly type: 'stats'; readonly id: number };

export type AnnResponse =
  | { readonly type: 'hits'; readonly id: number; readonly keys: bigint[]; readonly scores: number[] }
  | { readonly type: 'saved'; readonly id: number }
  | { readonly type: 'loaded'; readonly id: number; readonly mark: string | undefined }
  | { readonly type: 'stats'; readonly id: number; readonly releases: ReleaseVectorStats[] }
  | { readonly type: 'error'; readonly id: number | undefined; readonly message: string };
