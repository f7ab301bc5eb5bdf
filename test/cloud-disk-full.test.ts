/**
 * Disk full on the cloud's data directory, with real parts: the cloud (embedded aedes, PGlite) keeps its
 * data on a small tmpfs volume; a device publishes at QoS 1; the volume is filled up. The database
 * refuses with SQLSTATE 53100, the ingest holds the devices' acknowledgements (backpressure) instead
 * of dropping or dead-lettering anything, and once space returns every message is stored exactly once
 * and acknowledged. Needs root to mount the volume; skips with the reason otherwise.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDevice, type Cloud, countEmbeddings, startCloud } from '@heartline/cloud';
import { encodeEmbeddingMessage } from '@heartline/contract';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHeartline } from './support/run-heartline.js';

/** Mounts a tmpfs of `megabytes` at `dir`; the reason it could not, or undefined. */
function mountTmpfs(dir: string, megabytes: number): string | undefined {
  if (process.getuid?.() !== 0) return 'mounting a small volume needs root';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `mount -t tmpfs failed: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** Writes zeros into `file` until the volume is full. */
function fillVolume(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(1 << 20);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    // The last, partial megabyte too.
    const small = Buffer.alloc(4096);
    try {
      for (;;) writeSync(fd, small);
    } catch {
      // Full.
    }
  } finally {
    closeSync(fd);
  }
}

const work = await mkdtemp(join(tmpdir(), 'hl-disk-full-'));
const volume = join(work, 'volume');
await mkdir(volume);
const skipReason = mountTmpfs(volume, 160);
if (skipReason) console.warn(`skipping the disk-full test: ${skipReason}`);

let cloud: Cloud | undefined;
let releaseId: string;
let ecgDim: number;

describe.skipIf(skipReason !== undefined)('disk full on the cloud data directory', () => {
  beforeAll(async () => {
    const releaseDir = join(work, 'release');
    const trained = await runHeartline(['train', '--out', releaseDir, '--preset', 'tiny']);
    expect(trained.code, trained.stderr).toBe(0);
    cloud = await startCloud({
      dataDir: join(volume, 'data'),
      mqttPort: 0,
      releaseDirs: [releaseDir],
      log: () => undefined,
    });
    const [release] = await cloud.releases.live();
    releaseId = release!.id;
    ecgDim = release!.ecgDim;
  });

  afterAll(async () => {
    await rm(join(volume, 'filler'), { force: true });
    await cloud?.close();
    if (!skipReason) execFileSync('umount', [volume]);
    await rm(work, { recursive: true, force: true });
  });

  it('holds acknowledgements while the volume is full and stores everything once space returns', async () => {
    const secret = await addDevice(cloud!.db, 'dev-full');
    const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${cloud!.mqttPort}`, {
      clientId: 'hl-dev-dev-full',
      username: 'dev-full',
      password: secret,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    const publish = (seq: number) =>
      device.publishAsync(
        'hl/v1/dev/dev-full/emb',
        Buffer.from(
          encodeEmbeddingMessage({
            v: 1,
            deviceId: 'dev-full',
            seq,
            t0: 1_764_000_000_000 + seq * 10_000,
            release: releaseId,
            leadMask: 0xfff,
            quality: 0.9,
            h: Float32Array.from({ length: ecgDim }, (_, i) => Math.sin(seq + i)),
          }),
        ),
        { qos: 1 },
      );
    for (let seq = 0; seq < 20; seq++) await publish(seq);
    expect(await countEmbeddings(cloud!.db, 'dev-full')).toBe(20);

    fillVolume(join(volume, 'filler'));
    let acknowledged = 0;
    const pending = Array.from({ length: 200 }, (_, i) =>
      publish(20 + i).then(() => {
        acknowledged++;
      }),
    );
    // Positive evidence: the database refused for want of space and the ingest is retrying.
    await expect.poll(() => cloud!.ingest.stats().storageFailing, { timeout: 30_000 }).toBe(true);
    // PGlite may still fit a few rows in pages it already has; what it stored it acknowledged, the rest
    // waits (unacknowledged) and nothing is refused or dead-lettered for the lack of space.
    const storedWhileFull = cloud!.ingest.stats().stored;
    expect(acknowledged).toBeLessThan(200);
    expect(cloud!.ingest.stats().waiting).toBeGreaterThan(0);
    expect(cloud!.ingest.stats().rejected['storage-refused'] ?? 0).toBe(0);

    await rm(join(volume, 'filler'));
    await Promise.all(pending);
    expect(acknowledged).toBe(200);
    expect(cloud!.ingest.stats().storageFailing).toBe(false);
    expect(cloud!.ingest.stats().stored).toBeGreaterThanOrEqual(storedWhileFull);
    const { rows } = await cloud!.db.query<{ n: number; distinct: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT seq)::int AS distinct FROM embeddings WHERE device_id = 'dev-full'`,
    );
    expect(rows[0]).toEqual({ n: 220, distinct: 220 });
    await device.endAsync();
  }, 120_000);
});
