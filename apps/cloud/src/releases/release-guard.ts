/**
 * Automatic halt and rollback of a channel's newest release (see `rollback-policy.ts` for the rules):
 * it watches device states (failed updates) and stored embeddings (quality under the new release), and
 * rolls the channel back through {@link Rollout.rollback} with the reason and the devices counted as
 * evidence recorded as a channel event.
 *
 * Evidence comes from the database, never from the message at hand: a device's channel is its
 * `devices` row, revoked devices do not count, and a device's failure report is the update event of
 * its last stored state (`device_states`, one row per device, written only from its authenticated
 * topic). So a device counts once however often it reports, the evidence survives restarts and is the
 * same for every cloud instance on the database. Once per channel and bad release: the event row is
 * unique, so repeats and other instances are no-ops.
 */

import { ConflictError } from '../errors.js';
import { type DeviceStateMessage, UpdateEventSchema } from '../fleet/device-state-schema.js';
import type { DeviceRow } from '../storage/devices.js';
import type { SqlDriver } from '../storage/driver.js';
import {
  type DeviceQuality,
  type DeviceUpdateReport,
  failureQuorum,
  qualityDrop,
  type RollbackPolicy,
  type RollbackVerdict,
  updateFailure,
} from './rollback-policy.js';
import type { Rollout } from './rollout.js';

/** Options of {@link ReleaseGuard}: the policy's thresholds (quorum and quality) and timing. */
export interface ReleaseGuardOptions extends RollbackPolicy {
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
  /** Per `channel|release`, the devices whose failure report this guard has weighed already. */
  private readonly weighed = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly db: SqlDriver,
    private readonly rollout: Rollout,
    private readonly options: ReleaseGuardOptions = {},
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /**
   * Told after a device's state was stored: when it reports a failed update of its channel's newest
   * release, weighs the failure reports of all the channel's devices against the quorum.
   */
  async onState(device: DeviceRow, state: DeviceStateMessage): Promise<void> {
    if (!state.update || device.revoked || this.closed) return;
    const channel = await this.channelReleases(device.channel);
    if (!channel?.rolledOut) return;
    const key = `${device.channel}|${channel.current}`;
    // Only a failure report can complete a quorum, and only once per device (a device repeats its last
    // update event in every state; a restarted guard weighs each device again): anything else costs no
    // further query. A change of the channel's membership is weighed with the next device's failure.
    if (this.handled.has(key) || !updateFailure(device.id, state.update, channel.current)) return;
    const weighed = this.weighed.get(key) ?? new Set<string>();
    if (weighed.has(device.id)) return;
    weighed.add(device.id);
    this.weighed.set(key, weighed);
    let verdict: RollbackVerdict | undefined;
    try {
      const { members, reports } = await this.updateReports(device.channel);
      verdict = failureQuorum(channel.current, reports, members, this.options);
    } catch (error) {
      weighed.delete(device.id);
      throw error;
    }
    if (verdict) await this.rollBack(device.channel, channel.current, verdict);
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

  /** Compares every channel's new release with its previous one, device by device; resolves when done. */
  async checkQuality(): Promise<void> {
    const { rows } = await this.db.query<{ channel: string }>('SELECT DISTINCT channel FROM rollouts');
    for (const { channel } of rows) {
      const releases = await this.channelReleases(channel);
      if (!releases?.rolledOut || !releases.previous || this.handled.has(`${channel}|${releases.current}`))
        continue;
      const fresh = await this.quality(channel, releases.current, releases.since);
      const before = await this.quality(channel, releases.previous);
      const members = await this.members(channel);
      const verdict = qualityDrop(releases.current, fresh, releases.previous, before, members, this.options);
      if (verdict) await this.rollBack(channel, releases.current, verdict);
    }
  }

  /** Stops the timer and waits for a running check. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.checking;
  }

  private async rollBack(channel: string, release: string, verdict: RollbackVerdict): Promise<void> {
    const key = `${channel}|${release}`;
    if (this.handled.has(key)) return;
    this.handled.add(key);
    this.weighed.delete(key);
    try {
      const state = await this.rollout.rollback(channel, {
        expected: release,
        reason: verdict.reason,
        action: 'auto-rollback',
        devices: verdict.devices,
      });
      this.log(
        `guard: channel ${channel} rolled back from ${release} to ${state.release}: ${verdict.reason}`,
      );
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

  /** The ids of the channel's non-revoked devices. */
  private async members(channel: string): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(
      'SELECT id FROM devices WHERE channel = $1 AND NOT revoked ORDER BY id',
      [channel],
    );
    return rows.map((r) => r.id);
  }

  /** The channel's non-revoked devices and the update event of each one's last stored state. */
  private async updateReports(
    channel: string,
  ): Promise<{ members: string[]; reports: DeviceUpdateReport[] }> {
    const { rows } = await this.db.query<{ id: string; update: unknown }>(
      `SELECT d.id, s.state->'update' AS update
       FROM devices d LEFT JOIN device_states s ON s.device_id = d.id
       WHERE d.channel = $1 AND NOT d.revoked ORDER BY d.id`,
      [channel],
    );
    return {
      members: rows.map((r) => r.id),
      reports: rows.map((r) => {
        // Validated when it arrived; parsed again so a row written by an older schema cannot mislead.
        const parsed = UpdateEventSchema.safeParse(r.update);
        return { deviceId: r.id, update: parsed.success ? parsed.data : undefined };
      }),
    };
  }

  /** Count and mean quality per device of the channel's non-revoked devices under `release`. */
  private async quality(channel: string, release: string, since?: string): Promise<DeviceQuality[]> {
    const { rows } = await this.db.query<DeviceQuality>(
      `SELECT e.device_id AS "deviceId", count(*)::int AS count, avg(e.quality)::float8 AS mean
       FROM embeddings e JOIN devices d ON d.id = e.device_id
       WHERE d.channel = $1 AND NOT d.revoked AND e.release = $2
         ${since === undefined ? '' : 'AND e.received >= $3::timestamptz'}
       GROUP BY e.device_id`,
      since === undefined ? [channel, release] : [channel, release, since],
    );
    return rows;
  }
}
