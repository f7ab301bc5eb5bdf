/**
 * When a channel's newest release is bad enough to take back, as pure functions of what devices
 * reported (so the rules are tested without a broker):
 * - a device on the channel reports a failed update of that release: it refused it (bad signature,
 *   download, hash, load or self-test), or it ran it and rolled back on its own (run-time failure);
 *   a rollback an operator commanded is not a failure of the release;
 * - the mean quality of the windows the channel's devices sent under the new release is clearly below
 *   the mean under the previous release: by more than `maxQualityDrop` (absolute, quality is 0–1), with
 *   at least `minSamples` windows on each side so a handful of noisy windows cannot trigger it.
 */
import type { UpdateEventReport } from '../fleet/device-state-schema.js';

/** Thresholds of the quality rule. */
export interface QualityPolicy {
  /** Windows needed under each release before the means are compared. Default 20 (≥ 1). */
  readonly minSamples?: number;
  /** Largest accepted drop of the mean quality (0–1 scale). Default 0.15. */
  readonly maxQualityDrop?: number;
}

/** Count and mean quality of the embeddings stored under one release. */
export interface QualitySample {
  readonly count: number;
  readonly mean: number;
}

/** The rollback reason when `update` is a failure of `release`, else undefined. */
export function updateFailure(
  deviceId: string,
  update: UpdateEventReport | undefined,
  release: string,
): string | undefined {
  if (!update) return undefined;
  if (update.kind === 'refused' && update.release === release) {
    return `device ${deviceId} refused ${release} (${update.reason}): ${update.detail.slice(0, 200)}`;
  }
  if (update.kind === 'rolled-back' && update.from === release && update.why !== 'rollback command') {
    return `device ${deviceId} rolled back from ${release}: ${update.why.slice(0, 200)}`;
  }
  return undefined;
}

/** The rollback reason when the new release's mean quality dropped clearly below the previous one's. */
export function qualityDrop(
  release: string,
  fresh: QualitySample,
  previousRelease: string,
  previous: QualitySample,
  policy: QualityPolicy = {},
): string | undefined {
  const minSamples = Math.max(1, policy.minSamples ?? 20);
  const maxDrop = policy.maxQualityDrop ?? 0.15;
  if (fresh.count < minSamples || previous.count < minSamples) return undefined;
  if (!(previous.mean - fresh.mean > maxDrop)) return undefined;
  return (
    `mean window quality under ${release} is ${fresh.mean.toFixed(3)} (${fresh.count} windows), ` +
    `${(previous.mean - fresh.mean).toFixed(3)} below ${previousRelease}'s ${previous.mean.toFixed(3)} ` +
    `(${previous.count} windows; allowed drop ${maxDrop})`
  );
}
