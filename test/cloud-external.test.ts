/**
 * The external path: Debian's mosquitto (started here, on loopback, with the generated password file and
 * ACL) as the broker, two cloud instances sharing the embedding load through `$share/cloud/…`, and a
 * real PostgreSQL server (Debian's, a throwaway cluster of this file's own) as the database they share.
 */

import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addDevice,
  type Cloud,
  countEmbeddings,
  listDevices,
  openStorage,
  registerReleaseDir,
  startCloud,
  writeMosquittoFiles,
} from '@heartline/cloud';
import { encodeEmbeddingMessage } from '@heartline/contract';
import { freePort } from '@heartline/node-io';
import {
  generateSigningKeys,
  MOSQUITTO,
  makeRelease,
  type PostgresServer,
  postgresForTest,
  startMosquitto,
  startPostgresServer,
} from '@heartline/test-support';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDevice } from './device-harness.js';
import { runHeartline } from './support/run-heartline.js';

let work: string;
let postgres: PostgresServer | undefined;
let broker: ChildProcess;
let mqttPort: number;
const clouds: Cloud[] = [];
let secret: string;
let secretY: string;
let secretZ: string;
const cloudPassword = 'cloud-test-password';
let releaseId: string;
let ecgDim: number;

/** Starts mosquitto with the generated configuration, once it accepts the cloud's login. */
async function startBroker(): Promise<void> {
  broker = await startMosquitto(join(work, 'mosquitto'), mqttPort, cloudPassword);
}

/** Embedding messages received by all cloud instances together. */
function receivedByClouds(): number {
  return clouds.reduce((sum, cloud) => sum + cloud.ingest.stats().received, 0);
}

if (!existsSync(MOSQUITTO)) console.warn(`skipping the external-broker tests: ${MOSQUITTO} is not installed`);
// Prints why when PostgreSQL is missing; under CI, where both are installed, a missing one fails instead.
const postgresInstalled = postgresForTest() !== undefined;

describe.skipIf(!existsSync(MOSQUITTO) || !postgresInstalled)('cloud with mosquitto and PostgreSQL', () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'hl-cloud-ext-'));
    const releaseDir = join(work, 'release');
    const trained = await runHeartline(['train', '--out', releaseDir, '--preset', 'tiny']);
    expect(trained.code, trained.stderr).toBe(0);

    postgres = await startPostgresServer();
    const databaseUrl = postgres.url;

    const setup = await openStorage({ databaseUrl });
    secret = await addDevice(setup, 'dev-x');
    secretY = await addDevice(setup, 'dev-y');
    secretZ = await addDevice(setup, 'dev-z');
    mqttPort = await freePort();
    await writeMosquittoFiles(join(work, 'mosquitto'), {
      port: mqttPort,
      cloudPassword,
      devices: await listDevices(setup),
    });
    await setup.close();

    await startBroker();
    for (let i = 0; i < 2; i++) {
      clouds.push(
        await startCloud({
          databaseUrl,
          mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
          mqttPassword: cloudPassword,
          releaseDirs: i === 0 ? [releaseDir] : [],
          flushMs: 5,
          log: () => undefined,
        }),
      );
    }
    const [release] = await clouds[0]!.releases.live();
    releaseId = release!.id;
    ecgDim = release!.ecgDim;
  });

  afterAll(async () => {
    for (const cloud of clouds) await cloud.close();
    broker?.kill('SIGTERM');
    await postgres?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('splits one device stream between two cloud instances and stores every (device, seq) once', async () => {
    const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
      clientId: 'hl-dev-dev-x',
      username: 'dev-x',
      password: secret,
      protocolVersion: 5,
      reconnectPeriod: 0,
    });
    const n = 60;
    for (let seq = 0; seq < n; seq++) {
      const h = Float32Array.from({ length: ecgDim }, (_, i) => Math.cos(seq + i));
      const payload = encodeEmbeddingMessage({
        v: 1,
        deviceId: 'dev-x',
        seq,
        t0: 1_764_000_000_000 + seq,
        release: releaseId,
        leadMask: 0xfff,
        quality: 1,
        h,
      });
      await device.publishAsync('hl/v1/dev/dev-x/emb', Buffer.from(payload), { qos: 1 });
      // Replays of the first ten, as after a reconnect.
      if (seq < 10) await device.publishAsync('hl/v1/dev/dev-x/emb', Buffer.from(payload), { qos: 1 });
    }
    await expect
      .poll(receivedByClouds, { timeout: 15_000, interval: 20, message: 'every message at a cloud instance' })
      .toBe(n + 10);
    for (const cloud of clouds) await cloud.ingest.flush();
    const received = clouds.map((c) => c.ingest.stats().received);
    expect(received[0]! + received[1]!).toBe(n + 10);
    // Both instances took a share of the load.
    expect(received[0]).toBeGreaterThan(0);
    expect(received[1]).toBeGreaterThan(0);
    expect(await countEmbeddings(clouds[0]!.db, 'dev-x')).toBe(n);
    await device.endAsync();
  });

  it('a burst of 6,000 messages acknowledged by mosquitto at once is stored whole (its default queue of 1,000 per client dropped the rest)', async () => {
    const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
      clientId: 'hl-dev-dev-z',
      username: 'dev-z',
      password: secretZ,
      protocolVersion: 5,
      reconnectPeriod: 0,
    });
    const n = 6000;
    const from = 1_000_000;
    const h = Float32Array.from({ length: ecgDim }, (_, i) => Math.sin(i));
    const before = await countEmbeddings(clouds[0]!.db, 'dev-z');
    // Published without waiting for each PUBACK: mosquitto acknowledges them all long before the clouds
    // have stored them, so it must hold them meanwhile.
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        device.publishAsync(
          'hl/v1/dev/dev-z/emb',
          Buffer.from(
            encodeEmbeddingMessage({
              v: 1,
              deviceId: 'dev-z',
              seq: from + i,
              t0: 1_764_000_000_000 + i,
              release: releaseId,
              leadMask: 0xfff,
              quality: 1,
              h,
            }),
          ),
          { qos: 1 },
        ),
      ),
    );
    await device.endAsync();
    await expect
      .poll(() => countEmbeddings(clouds[0]!.db, 'dev-z'), { timeout: 120_000, interval: 250 })
      .toBe(before + n);
  }, 180_000);

  it('lets mosquitto refuse a wrong secret and a publish under another device topic', async () => {
    // The refusal is the broker's answer itself: CONNACK 5 (not authorised) for the wrong secret.
    await expect(
      mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
        clientId: 'hl-dev-dev-x',
        username: 'dev-x',
        password: 'wrong',
        reconnectPeriod: 0,
      }),
    ).rejects.toMatchObject({ code: 5 });
    const before = await countEmbeddings(clouds[0]!.db, 'dev-y');
    const storedX = await countEmbeddings(clouds[0]!.db, 'dev-x');
    const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
      clientId: 'hl-dev-dev-x',
      username: 'dev-x',
      password: secret,
      protocolVersion: 5,
      reconnectPeriod: 0,
    });
    const message = (deviceId: string, seq: number) =>
      Buffer.from(
        encodeEmbeddingMessage({
          v: 1,
          deviceId,
          seq,
          t0: 1_764_000_000_000 + seq,
          release: releaseId,
          leadMask: 0xfff,
          quality: 1,
          h: new Float32Array(ecgDim).fill(0.5),
        }),
      );
    try {
      // MQTT 5: mosquitto answers a publish its ACL denies with PUBACK reason code 0x87 (not authorized),
      // which mqtt.js turns into a rejected publish: positive evidence that the broker refused it.
      await expect(
        device.publishAsync('hl/v1/dev/dev-y/emb', message('dev-y', 1), { qos: 1 }),
      ).rejects.toMatchObject({ code: 0x87 });
      // The same session goes on: its next publish, under its own topic, reaches a cloud and is stored.
      await device.publishAsync('hl/v1/dev/dev-x/emb', message('dev-x', 1000), { qos: 1 });
      await expect
        .poll(() => countEmbeddings(clouds[0]!.db, 'dev-x'), { timeout: 10_000, interval: 50 })
        .toBe(storedX + 1);
    } finally {
      await device.endAsync();
    }
    expect(await countEmbeddings(clouds[0]!.db, 'dev-y')).toBe(before);
  });

  it('mosquitto restarted mid-stream: every (device, seq) the device assigned is stored exactly once', async () => {
    // A real device process speaking MQTT 5, so it sees the PUBACK mosquitto sends while no cloud
    // instance is subscribed ("no matching subscribers": mosquitto 2.0 does not restore shared
    // subscriptions from its persistence, so that window follows every broker restart) and keeps the
    // message instead of counting it delivered.
    const keys = generateSigningKeys();
    const fixture = await makeRelease(join(work, 'device-release'), 3, keys.privateKeyPem);
    await registerReleaseDir(clouds[0]!.db, fixture.dir);
    const publicKeyFile = join(work, 'device-release-key.pub.pem');
    await writeFile(publicKeyFile, keys.publicKeyPem);
    const windows = 120;
    const device = spawnDevice([
      ...['--broker', `mqtt://127.0.0.1:${mqttPort}`, '--id', 'dev-y', `--secret=${secretY}`],
      ...['--mqtt-version', '5', '--source', 'synthetic:9', '--realtime', '--speed', '100'],
      ...['--windows', String(windows), '--public-key', publicKeyFile, '--state', join(work, 'dev-y-state')],
      ...['--model', join(fixture.dir, 'ecg-encoder.onnx')],
    ]);
    const stored = () => countEmbeddings(clouds[0]!.db, 'dev-y');
    try {
      await expect.poll(stored, { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(30);
      const exited = new Promise((done) => broker.once('exit', done));
      broker.kill('SIGTERM');
      await exited;
      await startBroker();
      // The device exits 0 once every window it encoded was acknowledged as delivered.
      expect(await device.exited, device.output()).toBe(0);
      await expect.poll(stored, { timeout: 30_000, interval: 200 }).toBe(windows);
    } finally {
      device.kill();
    }
    const { rows } = await clouds[0]!.db.query<{ n: number; distinct: number; max: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT seq)::int AS distinct, max(seq)::int AS max
       FROM embeddings WHERE device_id = 'dev-y'`,
    );
    expect(rows[0]).toEqual({ n: windows, distinct: windows, max: windows - 1 });
  }, 240_000);
});
