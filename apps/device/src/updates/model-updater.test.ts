import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkSelfTest,
  createSelfTestInput,
  type DeviceManifest,
  decodeFloat32Base64,
} from '@heartline/model/onnx';
import {
  type FileServer,
  generateSigningKeys,
  makeRelease,
  type ReleaseFixture,
  resign,
  serveFiles,
} from '@heartline/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxNodeEncoder } from '../runtime/onnx-node-runtime.js';
import { ModelStore } from './model-store.js';
import { ModelUpdater, type UpdateEvent } from './model-updater.js';
import { nodeReleaseCrypto, readPublicKey } from './verify-release.js';

const keys = generateSigningKeys();
const otherKeys = generateSigningKeys();
let root: string;
let a: ReleaseFixture;
let b: ReleaseFixture;
let server: FileServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hl-updater-'));
  a = await makeRelease(join(root, 'rel-a'), 1, keys.privateKeyPem);
  b = await makeRelease(join(root, 'rel-b'), 2, keys.privateKeyPem);
  server = await serveFiles();
  server.set('a.onnx', a.onnx);
  server.set('b.onnx', b.onnx);
}, 120_000);

afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

async function updaterWithA(name: string) {
  const events: UpdateEvent[] = [];
  const store = await ModelStore.open(join(root, name));
  const updater = new ModelUpdater({
    store,
    crypto: nodeReleaseCrypto(readPublicKey(keys.publicKeyPem)),
    createRuntime: (bytes, options) => OnnxNodeEncoder.create(bytes, options),
    onEvent: (e) => events.push(e),
  });
  const first = await updater.provision('ignored', a.onnx, a.manifest);
  expect(first).toEqual({ kind: 'installed', release: a.release, previous: undefined });
  return { updater, events, store };
}

const input = createSelfTestInput();
let updaterCount = 0;

/** h of the self-test window from whatever session the updater holds now. */
async function encodeSelfTestWindow(updater: ModelUpdater): Promise<Float32Array> {
  return updater.encoder!.run(input.window, input.leadMask, 1);
}

/** True when `h` is (within the self-test tolerance) the TF.js output recorded in `m`'s manifest. */
function matches(m: DeviceManifest, h: Float32Array): boolean {
  return checkSelfTest(m.selfTest, h).ok;
}

describe('ModelUpdater', () => {
  it('installs a verified, self-tested release while windows keep flowing, and keeps the old one', async () => {
    const { updater, store } = await updaterWithA('good');
    expect(matches(a.manifest, await encodeSelfTestWindow(updater))).toBe(true);
    const manifest = await resign(
      b.manifest,
      { onnx: { ...b.manifest.onnx, url: server.url('b.onnx') } },
      keys.privateKeyPem,
    );
    // Windows keep running through the swap: none may fail, each comes from exactly one of the two models.
    let running = true;
    const outputs: Float32Array[] = [];
    const flow = (async () => {
      while (running) outputs.push(await encodeSelfTestWindow(updater));
    })();
    const event = await updater.handleManifest(JSON.stringify(manifest));
    running = false;
    await flow;
    expect(event).toEqual({ kind: 'installed', release: b.release, previous: a.release });
    expect(outputs.length).toBeGreaterThan(0);
    for (const h of outputs) expect(matches(a.manifest, h) || matches(b.manifest, h)).toBe(true);
    const after = await encodeSelfTestWindow(updater);
    expect(matches(b.manifest, after)).toBe(true);
    // The two releases really differ, so the check above tells them apart.
    expect(matches(a.manifest, after)).toBe(false);
    expect(store.active).toMatchObject({ current: b.release, previous: a.release });
    // The self-test window is the manifest's, so the check above used what the manifest shipped.
    expect(decodeFloat32Base64(manifest.selfTest.input)).toEqual(input.window);
    await updater.release();
  });

  it('rolls back to the previous release on command and blocks the release rolled back from', async () => {
    const { updater, store } = await updaterWithA('rollback');
    const manifest = await resign(
      b.manifest,
      { onnx: { ...b.manifest.onnx, url: server.url('b.onnx') } },
      keys.privateKeyPem,
    );
    await updater.handleManifest(JSON.stringify(manifest));
    const event = await updater.rollback('operator asked');
    expect(event).toEqual({ kind: 'rolled-back', from: b.release, to: a.release, why: 'operator asked' });
    expect(matches(a.manifest, await encodeSelfTestWindow(updater))).toBe(true);
    expect(store.active.blocked).toContain(b.release);
    // The retained manifest arrives again on reconnect: it must not be re-installed.
    expect(await updater.handleManifest(JSON.stringify(manifest))).toBeUndefined();
    expect(updater.encoder!.label).toBe(a.release);
    await updater.release();
  });

  const refusals: [string, () => Promise<string>, string][] = [
    [
      'a tampered file (one byte of the served ONNX flipped)',
      async () => {
        const bad = b.onnx.slice();
        bad[bad.length >> 1]! ^= 0xff;
        server.set('tampered.onnx', bad);
        return JSON.stringify(
          await resign(
            b.manifest,
            { onnx: { ...b.manifest.onnx, url: server.url('tampered.onnx') } },
            keys.privateKeyPem,
          ),
        );
      },
      'hash',
    ],
    [
      'a manifest signed with another key',
      async () =>
        JSON.stringify(
          await resign(
            b.manifest,
            { onnx: { ...b.manifest.onnx, url: server.url('b.onnx') } },
            otherKeys.privateKeyPem,
          ),
        ),
      'signature',
    ],
    [
      'a manifest edited after signing (url changed, signature kept)',
      async () => {
        const signed = await resign(
          b.manifest,
          { onnx: { ...b.manifest.onnx, url: server.url('b.onnx') } },
          keys.privateKeyPem,
        );
        return JSON.stringify({ ...signed, onnx: { ...signed.onnx, url: server.url('a.onnx') } });
      },
      'signature',
    ],
    [
      'a signed manifest with the sha256 of other bytes',
      async () =>
        JSON.stringify(
          await resign(
            b.manifest,
            { onnx: { ...b.manifest.onnx, sha256: a.manifest.onnx.sha256, url: server.url('b.onnx') } },
            keys.privateKeyPem,
          ),
        ),
      'hash',
    ],
    [
      'a signed manifest announcing 1 byte more than the file has',
      async () =>
        JSON.stringify(
          await resign(
            b.manifest,
            { onnx: { ...b.manifest.onnx, bytes: b.onnx.byteLength + 1, url: server.url('b.onnx') } },
            keys.privateKeyPem,
          ),
        ),
      'size',
    ],
    [
      'a release taking 12 × 500 samples at 50 Hz',
      async () =>
        JSON.stringify(
          await resign(
            b.manifest,
            {
              input: { ...b.manifest.input, samples: 500, sampleRate: 50 },
              onnx: { ...b.manifest.onnx, url: server.url('b.onnx') },
            },
            keys.privateKeyPem,
          ),
        ),
      'input-shape',
    ],
    [
      'a release whose output differs from its self-test (expected values negated)',
      async () =>
        JSON.stringify(
          await resign(
            b.manifest,
            {
              selfTest: { ...b.manifest.selfTest, expected: b.manifest.selfTest.expected.map((v) => -v) },
              onnx: { ...b.manifest.onnx, url: server.url('b.onnx') },
            },
            keys.privateKeyPem,
          ),
        ),
      'self-test',
    ],
    [
      'signed bytes that are not an ONNX model',
      async () => {
        const junk = new TextEncoder().encode('not an onnx model at all');
        server.set('junk.onnx', junk);
        const { createHash } = await import('node:crypto');
        const sha256 = createHash('sha256').update(junk).digest('hex');
        return JSON.stringify(
          await resign(
            b.manifest,
            { onnx: { ...b.manifest.onnx, bytes: junk.byteLength, sha256, url: server.url('junk.onnx') } },
            keys.privateKeyPem,
          ),
        );
      },
      'load',
    ],
    ['a payload that is not JSON', async () => '{"release": "x", ', 'malformed'],
  ];

  for (const [what, payload, reason] of refusals) {
    it(`refuses ${what} with reason '${reason}' and keeps the old model running`, async () => {
      const { updater, events, store } = await updaterWithA(`refuse-${reason}-${updaterCount++}`);
      const event = await updater.handleManifest(await payload());
      expect(event).toMatchObject({ kind: 'refused', reason });
      expect(events.at(-1)).toEqual(event);
      expect(updater.encoder!.label).toBe(a.release);
      expect(matches(a.manifest, await encodeSelfTestWindow(updater))).toBe(true);
      expect(store.active.current).toBe(a.release);
      await updater.release();
    });
  }
});
