import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS } from '@heartline/contract';
import { Device, readPublicKey, syntheticSource } from '@heartline/device';
import { OnnxNodeEncoder } from '@heartline/device/runtime';
import {
  type FileServer,
  generateSigningKeys,
  makeRelease,
  type ReleaseFixture,
  resign,
  serveFiles,
} from '@heartline/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAedes, type TestBroker } from './device-brokers.js';
import { gapsAndDuplicates, subscribe } from './device-harness.js';

const keys = generateSigningKeys();
const strangerKeys = generateSigningKeys();
let root: string;
let a: ReleaseFixture;
let b: ReleaseFixture;
let files: FileServer;
let broker: TestBroker;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hl-device-update-'));
  a = await makeRelease(join(root, 'a'), 1, keys.privateKeyPem);
  b = await makeRelease(join(root, 'b'), 2, keys.privateKeyPem);
  files = await serveFiles();
  files.set('b.onnx', b.onnx);
  broker = await startAedes({ 'dev-upd': 'secret-u', subscriber: 'subscriber-pw' });
});

afterAll(async () => {
  await broker?.close();
  await files?.close();
  await rm(root, { recursive: true, force: true });
});

describe('device model updates over MQTT', () => {
  it('swaps to a signed release while windows flow, refuses a stranger-signed one, rolls back on command', async () => {
    const received = await subscribe(broker.url, 'subscriber-pw', 'dev-upd');
    const log: string[] = [];
    const device = new Device({
      deviceId: 'dev-upd',
      secret: 'secret-u',
      brokerUrl: broker.url,
      source: syntheticSource({ seed: 9, pacing: 'realtime', speed: 40 }),
      stateDir: join(root, 'state'),
      publicKey: readPublicKey(keys.publicKeyPem),
      createRuntime: (bytes, options) => OnnxNodeEncoder.create(bytes, options),
      model: { release: 'provisioned', bytes: a.onnx, manifest: a.manifest },
      log: (line) => log.push(line),
    });
    await device.start();
    const count = (release: string) => [...received.releaseOf.values()].filter((r) => r === release).length;
    try {
      await expect
        .poll(() => count(a.release), { timeout: 60_000, message: '3 windows of release A' })
        .toBeGreaterThanOrEqual(3);

      const good = await resign(
        b.manifest,
        { channel: 'stable', onnx: { ...b.manifest.onnx, url: files.url('b.onnx') } },
        keys.privateKeyPem,
      );
      await received.client.publishAsync(TOPICS.release('stable'), JSON.stringify(good), {
        qos: 1,
        retain: true,
      });
      await expect
        .poll(() => count(b.release), { timeout: 60_000, message: '3 windows of release B' })
        .toBeGreaterThanOrEqual(3);
      expect(device.status.release).toBe(b.release);
      expect(device.status.previousRelease).toBe(a.release);
      await expect
        .poll(() => received.states.some((s) => s['release'] === b.release), {
          timeout: 60_000,
          message: 'the state naming B',
        })
        .toBe(true);

      const stranger = await resign(
        { ...good, release: 'r-stranger' },
        { onnx: { ...b.manifest.onnx, url: files.url('b.onnx') } },
        strangerKeys.privateKeyPem,
      );
      await received.client.publishAsync(TOPICS.release('stable'), JSON.stringify(stranger), {
        qos: 1,
        retain: true,
      });
      await expect
        .poll(() => log.some((l) => l.includes('r-stranger refused [signature]')), {
          timeout: 60_000,
          message: 'the refusal in the log',
        })
        .toBe(true);
      expect(device.status.release).toBe(b.release);

      await received.client.publishAsync(TOPICS.command('dev-upd'), JSON.stringify({ type: 'rollback' }), {
        qos: 1,
      });
      const seen = received.seqs.size;
      await expect
        .poll(() => [...received.releaseOf.entries()].some(([seq, r]) => r === a.release && seq >= seen), {
          timeout: 60_000,
          message: 'windows of release A after the rollback',
        })
        .toBe(true);
      expect(log.some((l) => l.includes(`rolled back from ${b.release} to ${a.release}`))).toBe(true);
    } finally {
      await device.stop();
    }
    // Seqs stayed contiguous across both swaps: nothing was lost while models changed.
    await expect
      .poll(() => gapsAndDuplicates(received.seqs).max, { timeout: 60_000, message: 'every queued message' })
      .toBe(device.status.nextSeq - 1);
    expect(gapsAndDuplicates(received.seqs).missing).toEqual([]);
    // Each message is stamped with one of the two releases, in the order the swaps happened.
    const order = [...received.releaseOf.entries()].sort(([x], [y]) => x - y).map(([, r]) => r);
    const runs = order.filter((r, i) => i === 0 || order[i - 1] !== r);
    expect(runs).toEqual([a.release, b.release, a.release]);
    await received.client.endAsync();
  });
});
