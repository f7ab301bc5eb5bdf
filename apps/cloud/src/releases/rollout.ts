/**
 * Rollout: export a release's ECG encoder for devices, sign its manifest with the cloud's key, publish it
 * retained on `hl/v1/rel/{channel}`, and remember it so a rollback can re-publish the previous one and a
 * restarted broker gets the current manifests again.
 */
import { TOPICS } from '@heartline/model/wire';
import { ed25519Signer, exportRelease } from '@heartline/trainer';
import type { MessageBus } from '../broker/bus.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { SqlDriver } from '../storage/driver.js';
import { listReleases } from '../storage/releases.js';
import { ensureBackend } from './release-models.js';
import type { SigningKey } from './signing-key.js';

/** One channel's current manifest. */
export interface ChannelState {
  readonly channel: string;
  readonly release: string;
  readonly manifest: unknown;
}

/** Rollout of releases to channels for one cloud. */
export class Rollout {
  constructor(
    private readonly db: SqlDriver,
    private readonly bus: MessageBus,
    private readonly key: SigningKey,
    /** Base URL devices download release files from (`…/api/v1/releases/{id}/files/{file}`). */
    private readonly fileUrl: (release: string, file: string) => string,
  ) {}

  /** Exports, signs and publishes `releaseId` on `channel`. */
  async rollOut(releaseId: string, channel: string): Promise<ChannelState> {
    const release = (await listReleases(this.db)).find((r) => r.id === releaseId);
    if (!release) throw new NotFoundError('release', releaseId);
    await ensureBackend();
    const [variant] = await exportRelease(release.dir, {
      channel,
      urlFor: (file) => this.fileUrl(releaseId, file),
      sign: ed25519Signer(this.key.privateKeyPem),
      keyId: this.key.keyId,
    });
    return this.publish(channel, releaseId, variant!.manifest, 'rollout');
  }

  /** Re-publishes the manifest of the release the channel had before its current one. */
  async rollback(channel: string): Promise<ChannelState> {
    const { rows } = await this.db.query<{ release: string; manifest: unknown }>(
      'SELECT release, manifest FROM rollouts WHERE channel = $1 ORDER BY id DESC',
      [channel],
    );
    const current = rows[0];
    const previous = rows.find((r) => r.release !== current?.release);
    if (!current || !previous)
      throw new ConflictError(`channel '${channel}' has no earlier release to roll back to`);
    return this.publish(channel, previous.release, previous.manifest, 'rollback');
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
    action: string,
  ): Promise<ChannelState> {
    await this.db.query('INSERT INTO rollouts (channel, release, manifest, action) VALUES ($1, $2, $3, $4)', [
      channel,
      release,
      JSON.stringify(manifest),
      action,
    ]);
    await this.bus.publish(TOPICS.release(channel), JSON.stringify(manifest), { retain: true });
    return { channel, release, manifest };
  }
}
