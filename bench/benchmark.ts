/** One figure a benchmark measured. */
export interface BenchFigure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The target, when the issue names one, and whether higher or lower is better. */
  readonly goal?: { readonly value: number; readonly better: 'higher' | 'lower' };
}

/** A benchmark run by `pnpm bench`: reports progress on stderr and returns its figures. */
export interface Benchmark {
  readonly name: string;
  readonly description: string;
  run(progress: (message: string) => void): Promise<readonly BenchFigure[]>;
}

/** Median of a list of numbers (the list is copied, not reordered). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
