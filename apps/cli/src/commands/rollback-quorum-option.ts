/**
 * `--rollback-quorum N[:F]` of `heartline cloud` and `heartline start`: how many of a channel's devices
 * must report a failed update (or a quality drop) before the cloud rolls the channel back on its own,
 * at least N devices and at least the share F (0–1) of the channel's devices. Absent: the cloud's
 * defaults (2 devices and 30 %).
 */
import { UsageError } from '../command.js';

/** The quorum fields of the cloud's `releaseGuard` option. */
export interface RollbackQuorum {
  readonly minDevices: number;
  readonly minFraction?: number;
}

/** Parses `N` or `N:F`; undefined when the flag is absent; anything else is a UsageError. */
export function rollbackQuorumOption(value: string | undefined): RollbackQuorum | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{1,9})(?::(\d+(?:\.\d+)?))?$/.exec(value.trim());
  const minDevices = Number(match?.[1]);
  const minFraction = match?.[2] === undefined ? undefined : Number(match[2]);
  if (!match || minDevices < 1 || (minFraction !== undefined && minFraction > 1)) {
    throw new UsageError(
      `--rollback-quorum must be N or N:F (at least N ≥ 1 devices and the share 0 ≤ F ≤ 1 of the channel), got '${value}'`,
    );
  }
  return minFraction === undefined ? { minDevices } : { minDevices, minFraction };
}
