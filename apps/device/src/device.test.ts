import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EncoderRuntime } from '@heartline/model/runtime';
import {
  type FileServer,
  generateSigningKeys,
  makeRelease,
  type ReleaseFixture,
  resign,
  serveFiles,
} from '@heartline/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Device } from './device.js';
import { OnnxNodeEncoder } from './runtime/onnx-node-runtime.js';
import { syntheticSource } from './sources/index.js';
import { readPublicKey } from './updates/index.js';

const keys = generateSigningKeys();
let root: string;
let a: ReleaseFixture;
let b: ReleaseFixture;
let files: FileServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hl-device-'));
  a = await makeRelease(join(root, 'a'), 1, keys.privateKeyPem);
  b = await makeRelease(join(root, 'b'), 2, keys.privateKeyPem);
  files = await serveFiles();
  files.set('b.onnx', b.onnx);
}, 120_000);

afterAll(async () => {
  await files?.close();
  await rm(root, { recursive: true, force: true });
});

/** A session of release B that passes its self-test (first run) and fails every run after it. */
function failingAfterSelfTest(runtime: EncoderRuntime): EncoderRuntime {
  let runs = 0;
  return {
    leads: runtime.leads,
    samples: runtime.samples,
    run: async (w, m, n) => {
      if (++runs > 1) throw new Error('simulated accelerator fault');
      return runtime.run(w, m, n);
    },
    release: () => runtime.release(),
  };
}

describe('Device', () => {
  it('rolls back to the previous release when the new one fails at run time, and keeps encoding', async () => {
    const log: string[] = [];
    const device = new Device({
      deviceId: 'dev-rt',
      secret: 's',
      // Nothing listens there: the device works offline and queues on disk.
      brokerUrl: 'mqtt://127.0.0.1:9',
      source: syntheticSource({ seed: 2, pacing: 'realtime', speed: 100 }),
      stateDir: join(root, 'state'),
      publicKey: readPublicKey(keys.publicKeyPem),
      createRuntime: async (bytes, options) => {
        const runtime = await OnnxNodeEncoder.create(bytes, options);
        return options?.source?.includes(b.release) ? failingAfterSelfTest(runtime) : runtime;
      },
      model: { release: 'x', bytes: a.onnx, manifest: a.manifest },
      flushTimeoutMs: 0,
      log: (line) => log.push(line),
    });
    await device.start();
    try {
      const wait = async (what: string, ok: () => boolean) => {
        try {
          await expect.poll(ok, { timeout: 20_000, interval: 20, message: `waiting for ${what}` }).toBe(true);
        } catch (error) {
          throw new Error(`${(error as Error).message}\n${log.join('\n')}`, { cause: error });
        }
      };
      await wait('2 windows', () => device.status.encoded >= 2);
      const manifest = await resign(
        b.manifest,
        { onnx: { ...b.manifest.onnx, url: files.url('b.onnx') } },
        keys.privateKeyPem,
      );
      expect(await device.models.handleManifest(JSON.stringify(manifest))).toMatchObject({
        kind: 'installed',
        release: b.release,
      });
      await wait('the rollback', () =>
        log.some((l) => l.startsWith(`model rolled back from ${b.release} to ${a.release}`)),
      );
      expect(log.find((l) => l.includes('rolled back'))).toMatch(/run failed: simulated accelerator fault/);
      const encoded = device.status.encoded;
      await wait('more windows after the rollback', () => device.status.encoded >= encoded + 2);
      expect(device.status.release).toBe(a.release);
      // Queued while offline, nothing dropped, nothing sent.
      expect(device.status).toMatchObject({ connected: false, sent: 0, dropped: 0 });
      expect(device.status.queued).toBe(device.status.encoded);
    } finally {
      await device.stop();
    }
  });
});
