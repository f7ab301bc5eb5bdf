/**
 * When a channel's newest release is bad enough to take back, as pure functions of what devices
 * reported (so the rules are tested without a broker). No single device can decide it: both rules need
 * evidence from a quorum of the channel's devices (see {@link quorumSize}), each device counted once,
 * and only devices registered on the channel (by the cloud's registry, not by what a message claims):
 * - update failures: a device reports a failed update of that release: it refused it (bad signature,
 *   download, hash, load or self-test), or it ran it and rolled back on its own (run-time failure);
 *   a rollback an operator commanded is not a failure of the release;
 * - quality: a device's mean window quality under the new release is clearly below its own mean under
 *   the previous release: by more than `maxQualityDrop` (absolute, quality is 0–1), with at least
 *   `minSamples` windows of that device on each side. A device flooding bad windows moves only its own
 *   mean, so it is one device of the quorum at most.
 */
import type { UpdateEventReport } from '../fleet/device-state-schema.js';

/** How much of a channel must show a problem before it is rolled back automatically. */
export interface QuorumPolicy {
  /** Fewest distinct devices that must show it. Default 2: one device alone is never enough (≥ 1). */
  readonly minDevices?: number;
  /** Smallest share of the channel's non-revoked devices that must show it, 0–1. Default 0.3. */
  readonly minFraction?: number;
}

/** Thresholds of the quality rule. */
export interface QualityPolicy {
  /** Windows needed from a device under each release before its means are compared. Default 20 (≥ 1). */
  readonly minSamples?: number;
  /** Largest accepted drop of a device's mean quality (0–1 scale). Default 0.15. */
  readonly maxQualityDrop?: number;
}

/** Every threshold of the automatic rollback. */
export interface RollbackPolicy extends QuorumPolicy, QualityPolicy {}

/** Default {@link QuorumPolicy.minDevices}. */
export const DEFAULT_MIN_DEVICES = 2;
/** Default {@link QuorumPolicy.minFraction}. */
export const DEFAULT_MIN_FRACTION = 0.3;

/** One device's last reported model-update event. */
export interface DeviceUpdateReport {
  readonly deviceId: string;
  readonly update: UpdateEventReport | undefined;
}

/** Count and mean quality of the windows one device sent under one release. */
export interface DeviceQuality {
  readonly deviceId: string;
  readonly count: number;
  readonly mean: number;
}

/** A rollback decision: why, and the devices counted as evidence (sorted, each once). */
export interface RollbackVerdict {
  readonly reason: string;
  readonly devices: readonly string[];
}

/** Per-device details named in a reason at most; the verdict's `devices` lists them all. */
const REASON_DEVICES = 5;

/**
 * How many distinct devices a channel of `channelDevices` non-revoked devices needs as evidence: at
 * least `minDevices` and at least `minFraction` of the channel. May exceed the channel's size, in which
 * case the channel is never rolled back automatically (an operator still can).
 */
export function quorumSize(channelDevices: number, policy: QuorumPolicy = {}): number {
  const minDevices = Math.max(1, Math.floor(policy.minDevices ?? DEFAULT_MIN_DEVICES));
  const fraction = Math.min(1, Math.max(0, policy.minFraction ?? DEFAULT_MIN_FRACTION));
  // The epsilon keeps 0.3 · 10 (3.0000000000000004 in binary) at 3 devices.
  return Math.max(minDevices, Math.ceil(fraction * Math.max(0, channelDevices) - 1e-9));
}

/** Why `update` is a failure of `release` (one device's evidence), else undefined. */
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

/**
 * The rollback verdict when a quorum of the channel's devices reports a failed update of `release`.
 * `channel` is the ids of the channel's non-revoked devices; reports of other devices are ignored, and
 * a device with several reports counts once (its first failure).
 */
export function failureQuorum(
  release: string,
  reports: readonly DeviceUpdateReport[],
  channel: readonly string[],
  policy: QuorumPolicy = {},
): RollbackVerdict | undefined {
  const members = new Set(channel);
  const failures = new Map<string, string>();
  for (const { deviceId, update } of reports) {
    if (!members.has(deviceId) || failures.has(deviceId)) continue;
    const why = updateFailure(deviceId, update, release);
    if (why) failures.set(deviceId, why);
  }
  const needed = quorumSize(members.size, policy);
  if (failures.size < needed) return undefined;
  const devices = [...failures.keys()].sort();
  return {
    reason:
      `${devices.length} of ${members.size} devices on the channel (quorum ${needed}) report a failed ` +
      `update of ${release}: ${details(devices.map((d) => failures.get(d)!))}`,
    devices,
  };
}

/**
 * The rollback verdict when a quorum of the channel's devices sends windows of clearly lower quality
 * under `release` than under `previousRelease`, each device compared with itself. `channel` is the ids
 * of the channel's non-revoked devices; samples of other devices are ignored.
 */
export function qualityDrop(
  release: string,
  fresh: readonly DeviceQuality[],
  previousRelease: string,
  previous: readonly DeviceQuality[],
  channel: readonly string[],
  policy: RollbackPolicy = {},
): RollbackVerdict | undefined {
  const minSamples = Math.max(1, policy.minSamples ?? 20);
  const maxDrop = policy.maxQualityDrop ?? 0.15;
  const members = new Set(channel);
  const before = new Map<string, DeviceQuality>();
  for (const sample of previous) {
    if (members.has(sample.deviceId) && !before.has(sample.deviceId)) before.set(sample.deviceId, sample);
  }
  const drops = new Map<string, string>();
  for (const now of fresh) {
    const then = before.get(now.deviceId);
    if (!then || drops.has(now.deviceId) || now.count < minSamples || then.count < minSamples) continue;
    if (!(then.mean - now.mean > maxDrop)) continue;
    drops.set(
      now.deviceId,
      `mean window quality of ${now.deviceId} under ${release} is ${now.mean.toFixed(3)} ` +
        `(${now.count} windows), ${(then.mean - now.mean).toFixed(3)} below ${previousRelease}'s ` +
        `${then.mean.toFixed(3)} (${then.count} windows)`,
    );
  }
  const needed = quorumSize(members.size, policy);
  if (drops.size < needed) return undefined;
  const devices = [...drops.keys()].sort();
  return {
    reason:
      `window quality dropped by more than ${maxDrop} on ${devices.length} of ${members.size} devices ` +
      `on the channel (quorum ${needed}): ${details(devices.map((d) => drops.get(d)!))}`,
    devices,
  };
}

/** The first few per-device details, then how many more. */
function details(lines: readonly string[]): string {
  const shown = lines.slice(0, REASON_DEVICES).join('; ');
  return lines.length > REASON_DEVICES ? `${shown}; and ${lines.length - REASON_DEVICES} more` : shown;
}
