/**
 * Rollout: export a release's ECG encoder for devices, sign its manifest with the cloud's key, publish it
 * retained on `hl/v1/rel/{channel}`, and remember it so a rollback can re-publish the previous one and a
 * restarted broker gets the current manifests again.
 */
import { TOPICS } from '@heartline/contract';
import { ed25519Signer, exportRelease, ONNX_FILES, RELEASE_FILES } from '@heartline/trainer';
import type { MessageBus } from '../broker/bus.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { ChannelEvent, ChannelState } from '../http/routes/releases.js';
import type { SqlDriver } from '../storage/driver.js';
import { listReleases } from '../storage/releases.js';
import { checkAlignRollout } from './align-comparison.js';
import { ReleaseFiles } from './release-files.js';
import { ensureBackend } from './release-models.js';
import { type ChannelPublication, rollbackTarget } from './rollback-target.js';
import type { SigningKey } from './signing-key.js';

/** One channel's current manifest, and one thing that happened on a channel. */
export type { ChannelEvent, ChannelState };

/** Rollout of releases to channels for one cloud. */
export class Rollout {
  constructor(
    private readonly db: SqlDriver,
    private readonly bus: MessageBus,
    private readonly key: SigningKey,
    /** Base URL devices download release files from (`…/api/v1/releases/{id}/files/{file}`). */
    private readonly fileUrl: (release: string, file: string) => string,
    /** Where releases are read from and their exported ONNX files stored for every instance. */
    private readonly files: ReleaseFiles = new ReleaseFiles({ db }),
  ) {}

  /**
   * Exports, signs and publishes `releaseId` on `channel`. An align release must carry its held-out
   * evaluation beside its parent's and be no worse than its parent on it, unless `force` (see
   * align-comparison.ts); otherwise ConflictError and nothing is published.
   */
  async rollOut(
    releaseId: string,
    channel: string,
    options: { force?: boolean } = {},
  ): Promise<ChannelState> {
    const release = (await listReleases(this.db)).find((r) => r.id === releaseId);
    if (!release) throw new NotFoundError('release', releaseId);
    const metricsBytes = await this.files.read(release, RELEASE_FILES.metrics);
    let metrics: unknown;
    try {
      metrics = metricsBytes ? JSON.parse(new TextDecoder().decode(metricsBytes)) : undefined;
    } catch {
      metrics = undefined;
    }
    checkAlignRollout(releaseId, release.manifest, metrics, options.force === true);
    await ensureBackend();
    const dir = await this.files.localDir(release);
    const [variant] = await exportRelease(dir, {
      channel,
      urlFor: (file) => this.fileUrl(releaseId, file),
      sign: ed25519Signer(this.key.privateKeyPem),
      keyId: this.key.keyId,
    });
    // Stored before the manifest is published: any instance may be asked for the file.
    await this.files.store(releaseId, dir, [variant!.file, ONNX_FILES[variant!.precision].manifest]);
    return this.publish(channel, releaseId, variant!.manifest, 'rollout', {
      action: 'rollout',
      release: releaseId,
      reason: 'operator',
      devices: [],
    });
  }

  /**
   * Re-publishes the manifest of the release the channel had before its current one was rolled out
   * (a second rollback goes one further back, never to the release just left: see rollback-target.ts). `expected` guards
   * an automatic rollback: when the channel no longer runs that release, nothing happens (ConflictError);
   * `devices` are the devices whose reports were its evidence, recorded with the event.
   */
  async rollback(
    channel: string,
    options: {
      expected?: string;
      reason?: string;
      action?: 'rollback' | 'auto-rollback';
      devices?: readonly string[];
    } = {},
  ): Promise<ChannelState> {
    const { rows } = await this.db.query<ChannelPublication>(
      'SELECT release, manifest, action FROM rollouts WHERE channel = $1 ORDER BY id',
      [channel],
    );
    const { current, previous } = rollbackTarget(rows);
    if (options.expected !== undefined && current?.release !== options.expected) {
      throw new ConflictError(
        `channel '${channel}' runs ${current?.release ?? 'nothing'}, not ${options.expected}: no rollback`,
      );
    }
    if (!current || !previous)
      throw new ConflictError(`channel '${channel}' has no earlier release to roll back to`);
    // A rollback event names the release left; the rollouts row names the one published again.
    return this.publish(channel, previous.release, previous.manifest, 'rollback', {
      action: options.action ?? 'rollback',
      release: current.release,
      reason: `${options.reason ?? 'operator'}; back to ${previous.release}`,
      devices: options.devices ?? [],
    });
  }

  /** What happened on a channel, oldest first. */
  async events(channel: string): Promise<ChannelEvent[]> {
    const { rows } = await this.db.query<ChannelEvent>(
      `SELECT to_char(created AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS time, action, release, reason,
              devices
       FROM channel_events WHERE channel = $1 ORDER BY id`,
      [channel],
    );
    return rows;
  }

  /** The current manifest of every channel. */
  async channels(): Promise<ChannelState[]> {
    const { rows } = await this.db.query<ChannelState>(
      `SELECT DISTINCT ON (channel) channel, release, manifest FROM rollouts ORDER BY channel, id DESC`,
    );
    return rows;
  }

  /** Publishes every channel's current manifest again (the embedded broker forgets retained messages). */
  async republish(): Promise<void> {
    for (const c of await this.channels()) {
      await this.bus.publish(TOPICS.release(c.channel), JSON.stringify(c.manifest), { retain: true });
    }
  }

  private async publish(
    channel: string,
    release: string,
    manifest: unknown,
    action: 'rollout' | 'rollback',
    event: { action: string; release: string; reason: string; devices: readonly string[] },
  ): Promise<ChannelState> {
    await this.db.transaction(async (tx) => {
      await tx.query('INSERT INTO rollouts (channel, release, manifest, action) VALUES ($1, $2, $3, $4)', [
        channel,
        release,
        JSON.stringify(manifest),
        action,
      ]);
      // An automatic rollback happens once per channel and bad release (a unique partial index), even
      // when several cloud instances see the same failure: the loser's transaction publishes nothing.
      const { affectedRows } = await tx.query(
        `INSERT INTO channel_events (channel, action, release, reason, devices)
         VALUES ($1, $2, $3, $4, $5::jsonb)
         ON CONFLICT (channel, release) WHERE action = 'auto-rollback' DO NOTHING`,
        [channel, event.action, event.release, event.reason, JSON.stringify(event.devices)],
      );
      if (affectedRows === 0) {
        throw new ConflictError(`channel '${channel}' was already rolled back from ${event.release}`);
      }
    });
    await this.bus.publish(TOPICS.release(channel), JSON.stringify(manifest), { retain: true });
    return { channel, release, manifest };
  }
}
