import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKeys, makeRelease, type ReleaseFixture } from '@heartline/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mosquittoMissing, startAedes, startMosquitto, type TestBroker } from './device-brokers.js';
import { gapsAndDuplicates, queuedOffline, spawnDevice, subscribe } from './device-harness.js';

let root: string;
let release: ReleaseFixture;
let publicKeyFile: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hl-device-e2e-'));
  const keys = generateSigningKeys();
  release = await makeRelease(join(root, 'release'), 1, keys.privateKeyPem);
  publicKeyFile = join(root, 'release-key.pub.pem');
  await writeFile(publicKeyFile, keys.publicKeyPem);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/**
 * A device publishes windows (real ONNX Runtime session, 40× real time); the broker is stopped mid-stream
 * and started again; the device process is SIGKILLed and restarted on the same state directory. Every seq
 * the device ever assigned must reach the subscriber at least once.
 */
async function survivesBrokerRestartAndKill(
  broker: TestBroker,
  deviceId: string,
  secret: string,
): Promise<void> {
  const received = await subscribe(broker.url, 'subscriber-pw', deviceId);
  const state = join(root, `state-${deviceId}`);
  const args = [
    ...['--broker', broker.url, '--id', deviceId, '--secret', secret, '--source', 'synthetic:5'],
    ...['--realtime', '--speed', '40', '--public-key', publicKeyFile, '--state', state],
    ...['--model', join(release.dir, 'ecg-encoder.onnx')],
  ];
  const first = spawnDevice([...args, '--windows', '1000']);
  try {
    await expect
      .poll(() => received.seqs.size, { timeout: 60_000, message: '6 messages before the broker stops' })
      .toBeGreaterThanOrEqual(6);
    const mark = first.output().length;
    await broker.stop();
    // The device keeps encoding into its disk queue while the broker is gone: wait until it says so.
    await expect
      .poll(() => queuedOffline(first, mark), { timeout: 30_000, message: '6 windows queued while offline' })
      .toBeGreaterThanOrEqual(6);
    await broker.start();
    const before = received.seqs.size;
    await expect
      .poll(() => received.seqs.size, { timeout: 60_000, message: 'messages after the broker restart' })
      .toBeGreaterThanOrEqual(before + 8);
  } finally {
    first.kill();
  }
  await first.exited;
  await expect
    .poll(() => received.states.some((s) => s['reason'] === 'connection lost'), {
      timeout: 60_000,
      message: 'the last will after SIGKILL',
    })
    .toBe(true);

  const second = spawnDevice([...args, '--windows', '10']);
  expect(await second.exited, second.output()).toBe(0);
  const { nextSeq } = JSON.parse(await readFile(join(state, 'outbox.json'), 'utf8')) as { nextSeq: number };
  await expect
    .poll(
      () => {
        const { max, missing } = gapsAndDuplicates(received.seqs);
        return { max, missing };
      },
      { timeout: 30_000, message: `every seq below ${nextSeq}` },
    )
    .toEqual({ max: nextSeq - 1, missing: [] });
  const { max, missing, duplicates } = gapsAndDuplicates(received.seqs);
  console.log(
    `${deviceId}: received seqs 0…${max}, ${missing.length} missing, ${duplicates} duplicates (at least once)`,
  );
  expect(missing).toEqual([]);
  // The first run got at least 6 + 8 messages through, the second encoded 10 more.
  expect(max + 1).toBeGreaterThanOrEqual(6 + 8 + 10);
  expect(await readdir(join(state, 'queue'))).toEqual([]);
  expect([...received.releases]).toEqual([release.release]);
  expect(second.output()).toMatch(/encoded 10 · sent \d+ · queued 0 · dropped 0/);
  await expect
    .poll(() => received.states.at(-1)?.['status'], {
      timeout: 60_000,
      message: 'the graceful offline state',
    })
    .toBe('offline');
  expect(received.states.at(-1)).toMatchObject({ online: false, queued: 0, release: release.release });
  await received.client.endAsync();
}

describe('device over aedes (in-process)', () => {
  it('delivers every seq through a broker restart and a device SIGKILL', async () => {
    const broker = await startAedes({ 'dev-aedes': 'secret-a', subscriber: 'subscriber-pw' });
    try {
      await survivesBrokerRestartAndKill(broker, 'dev-aedes', 'secret-a');
    } finally {
      await broker.close();
    }
  });
});

describe('device on a flaky network', () => {
  it('delivers every seq although its link drops every 0.8 s for 0.3 s', async () => {
    const broker = await startAedes({ 'dev-flaky': 'secret-f', subscriber: 'subscriber-pw' });
    try {
      const received = await subscribe(broker.url, 'subscriber-pw', 'dev-flaky');
      const state = join(root, 'state-dev-flaky');
      const device = spawnDevice([
        ...['--broker', broker.url, '--id', 'dev-flaky', '--secret', 'secret-f', '--source', 'synthetic:6'],
        ...['--realtime', '--speed', '20', '--public-key', publicKeyFile, '--state', state],
        ...['--model', join(release.dir, 'ecg-encoder.onnx'), '--windows', '24'],
        ...['--flaky-network', '0.8:0.3'],
      ]);
      expect(await device.exited, device.output()).toBe(0);
      await expect
        .poll(() => gapsAndDuplicates(received.seqs).max, { timeout: 60_000, message: '24 seqs' })
        .toBe(23);
      const { missing: lost, duplicates } = gapsAndDuplicates(received.seqs);
      console.log(`dev-flaky: 24 seqs over a flaky link, ${lost.length} missing, ${duplicates} duplicates`);
      expect(lost).toEqual([]);
      // The link really dropped: the broker published the lost-connection will at least once.
      expect(received.states.some((s) => s['reason'] === 'connection lost')).toBe(true);
      expect(device.output()).toMatch(/simulated outage/);
      await received.client.endAsync();
    } finally {
      await broker.close();
    }
  });
});

const missing = mosquittoMissing();
if (missing) console.log(missing);

describe.skipIf(missing !== undefined)('device over mosquitto', () => {
  it('delivers every seq through a broker restart and a device SIGKILL', async () => {
    const dir = join(root, 'mosquitto');
    await mkdir(dir, { recursive: true });
    const broker = await startMosquitto(dir, { 'dev-mosq': 'secret-m', subscriber: 'subscriber-pw' });
    console.log(`mosquitto auth: ${broker.auth}`);
    try {
      await survivesBrokerRestartAndKill(broker, 'dev-mosq', 'secret-m');
    } finally {
      await broker.close();
    }
  });
});
