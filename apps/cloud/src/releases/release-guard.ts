/**
 * Automatic halt and rollback of a channel's newest release (see `rollback-policy.ts` for the rules):
 * it watches device states (failed updates) and stored embeddings (quality under the new release), and
 * rolls the channel back through {@link Rollout.rollback} with the reason recorded as a channel event.
 * Once per channel and bad release: the event row is unique, so repeats and other instances are no-ops.
 */

import { ConflictError } from '../errors.js';
import type { DeviceStateMessage } from '../fleet/device-state-schema.js';
import type { DeviceRow } from '../storage/devices.js';
import type { SqlDriver } from '../storage/driver.js';
import { type QualityPolicy, type QualitySample, qualityDrop, updateFailure } from './rollback-policy.js';
import type { Rollout } from './rollout.js';

/** Options of {@link ReleaseGuard}. */
export interface ReleaseGuardOptions extends QualityPolicy {
  /** Quality is checked at most this often after embeddings were stored, ms. Default 2,000. */
  readonly qualityCheckMs?: number;
}

/** Where a channel stands: its newest release, since when, and the one before. */
interface ChannelReleases {
  /** Whether the newest publication was a rollout (after a rollback there is nothing to guard). */
  readonly rolledOut: boolean;
  readonly current: string;
  readonly since: string;
  readonly previous: string | undefined;
}

/** Watches one cloud's channels and rolls a bad release back. */
export class ReleaseGuard {
  private readonly handled = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly db: SqlDriver,
    private readonly rollout: Rollout,
    private readonly options: ReleaseGuardOptions = {},
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** Checks a device's state for a failed update of its channel's newest release. */
  async onState(device: DeviceRow, state: DeviceStateMessage): Promise<void> {
    if (!state.update || this.closed) return;
    const channel = await this.channelReleases(device.channel);
    if (!channel?.rolledOut) return;
    const why = updateFailure(device.id, state.update, channel.current);
    if (why) await this.rollBack(device.channel, channel.current, why);
  }

  /** Schedules a quality check (throttled) after embeddings were stored. */
  embeddingsStored(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.checking = this.checking
        .then(() => this.checkQuality())
        .catch((error: Error) => {
          this.log(`guard: quality check failed: ${error.message}`);
        });
    }, this.options.qualityCheckMs ?? 2000);
  }

  /** Compares every channel's new release with its previous one; resolves when done. */
  async checkQuality(): Promise<void> {
    const { rows } = await this.db.query<{ channel: string }>('SELECT DISTINCT channel FROM rollouts');
    for (const { channel } of rows) {
      const releases = await this.channelReleases(channel);
      if (!releases?.rolledOut || !releases.previous || this.handled.has(`${channel}|${releases.current}`))
        continue;
      const fresh = await this.quality(channel, releases.current, releases.since);
      const before = await this.quality(channel, releases.previous);
      const why = qualityDrop(releases.current, fresh, releases.previous, before, this.options);
      if (why) await this.rollBack(channel, releases.current, why);
    }
  }

  /** Stops the timer and waits for a running check. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.checking;
  }

  private async rollBack(channel: string, release: string, why: string): Promise<void> {
    const key = `${channel}|${release}`;
    if (this.handled.has(key)) return;
    this.handled.add(key);
    try {
      const state = await this.rollout.rollback(channel, {
        expected: release,
        reason: why,
        action: 'auto-rollback',
      });
      this.log(`guard: channel ${channel} rolled back from ${release} to ${state.release}: ${why}`);
    } catch (error) {
      // Already rolled back (here or by another instance), moved on, or nothing to go back to.
      if (!(error instanceof ConflictError)) this.handled.delete(key);
      this.log(`guard: channel ${channel} not rolled back from ${release}: ${(error as Error).message}`);
    }
  }

  private async channelReleases(channel: string): Promise<ChannelReleases | undefined> {
    const { rows } = await this.db.query<{ release: string; action: string; created: string }>(
      `SELECT release, action, to_char(created AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created
       FROM rollouts WHERE channel = $1 ORDER BY id DESC LIMIT 50`,
      [channel],
    );
    const newest = rows[0];
    if (!newest) return undefined;
    return {
      rolledOut: newest.action === 'rollout',
      current: newest.release,
      since: newest.created,
      previous: rows.find((r) => r.release !== newest.release)?.release,
    };
  }

  private async quality(channel: string, release: string, since?: string): Promise<QualitySample> {
    const { rows } = await this.db.query<QualitySample>(
      `SELECT count(*)::int AS count, coalesce(avg(e.quality), 0)::float8 AS mean
       FROM embeddings e JOIN devices d ON d.id = e.device_id
       WHERE d.channel = $1 AND e.release = $2 ${since === undefined ? '' : 'AND e.received >= $3::timestamptz'}`,
      since === undefined ? [channel, release] : [channel, release, since],
    );
    return rows[0] ?? { count: 0, mean: 0 };
  }
}
