/** Learning-rate schedule: linear warm-up to the peak, then a cosine decay to `minLr` at the last step. */

/** Schedule parameters. */
export interface LrSchedule {
  /** Peak learning rate. Default 1e-3. */
  readonly peak?: number;
  /** Steps of linear warm-up from 0. Default 5 % of the run, at least 1. */
  readonly warmupSteps?: number;
  /** Learning rate at the end of the cosine. Default peak / 20. */
  readonly minLr?: number;
}

/** The learning rate at `step` (0-based) of a run of `totalSteps`. */
export function learningRate(schedule: LrSchedule, step: number, totalSteps: number): number {
  const peak = schedule.peak ?? 1e-3;
  const warmup = Math.max(1, schedule.warmupSteps ?? Math.round(0.05 * totalSteps));
  const minLr = schedule.minLr ?? peak / 20;
  if (step < warmup) return (peak * (step + 1)) / warmup;
  const progress = Math.min(1, (step - warmup) / Math.max(1, totalSteps - warmup));
  return minLr + 0.5 * (peak - minLr) * (1 + Math.cos(Math.PI * progress));
}
