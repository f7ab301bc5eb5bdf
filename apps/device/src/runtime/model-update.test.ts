import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '@heartline/model/nn';
import { type DeviceManifest, runSelfTest, verifyDeviceManifest } from '@heartline/model/onnx';
import { SwappableEncoder } from '@heartline/model/runtime';
import { trainWordPiece } from '@heartline/model/text';
import { perturbedModel } from '@heartline/test-support';
import {
  ed25519Signer,
  ed25519Verifier,
  exportRelease,
  generateSigningKeys,
  writeReleaseDir,
} from '@heartline/trainer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxNodeEncoder } from './onnx-node-runtime.js';

let dir: string;
let otherDir: string;
const keys = generateSigningKeys();

/** Writes a tiny release whose weights are perturbed with `shift` added to every value. */
async function writeTinyRelease(out: string, id: string, shift: number): Promise<void> {
  const model = await perturbedModel(resolveConfig({}, 'tiny'));
  const weights = model.getWeights();
  for (const w of Object.values(weights))
    for (let i = 0; i < w.values.length; i++) w.values[i] = (w.values[i] as number) + shift;
  const config = model.config;
  model.dispose();
  await writeReleaseDir(out, {
    manifest: {
      format: 'heartline-release',
      formatVersion: 1,
      id,
      created: '2026-11-25T00:00:00.000Z',
      mode: 'pretrain',
      preset: 'tiny',
      config,
      preprocessing: { targetRate: 100, band: [0.5, 40], normalisation: 'zscore', windowSeconds: 10 },
      data: {},
    },
    weights,
    tokenizer: trainWordPiece(['sinus rhythm normal ecg', 'atrial fibrillation']).toJSON(),
    metrics: {},
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hl-export-'));
  otherDir = await mkdtemp(join(tmpdir(), 'hl-export-'));
  await writeTinyRelease(dir, 'r-good', 0);
  await writeTinyRelease(otherDir, 'r-other', 0.05);
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(otherDir, { recursive: true, force: true });
});

describe('exportRelease → signed device manifest → self-tested swap', () => {
  it('writes three variants whose size and sha256 match the manifests, signed with Ed25519', async () => {
    const written = await exportRelease(dir, {
      variants: ['float32', 'int8', 'float16'],
      sign: ed25519Signer(keys.privateKeyPem),
      channel: 'canary',
    });
    expect(written.map((w) => w.file)).toEqual([
      'ecg-encoder.onnx',
      'ecg-encoder-int8.onnx',
      'ecg-encoder-fp16.onnx',
    ]);
    for (const w of written) {
      const bytes = await readFile(join(dir, w.file));
      const manifest = JSON.parse(
        await readFile(
          join(dir, w.file.replace('ecg-encoder', 'device-manifest').replace('.onnx', '.json')),
          'utf8',
        ),
      ) as DeviceManifest;
      expect(manifest.onnx.bytes).toBe(bytes.length);
      expect(manifest.onnx.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(manifest.channel).toBe('canary');
      expect(await verifyDeviceManifest(manifest, ed25519Verifier(keys.publicKeyPem))).toBe(true);
      expect(await verifyDeviceManifest(manifest, ed25519Verifier(generateSigningKeys().publicKeyPem))).toBe(
        false,
      );
      // Every variant passes its own self-test (expected output from the TF.js model) on onnxruntime-node.
      const runtime = await OnnxNodeEncoder.create(new Uint8Array(bytes));
      await expect(runSelfTest(runtime, manifest.selfTest)).resolves.toBeUndefined();
      await runtime.release();
    }
  });

  it('keeps the old session on corrupt bytes and on a failing self-test, then swaps to the good release', async () => {
    await exportRelease(otherDir);
    const good = JSON.parse(await readFile(join(dir, 'device-manifest.json'), 'utf8')) as DeviceManifest;
    const goodBytes = new Uint8Array(await readFile(join(dir, 'ecg-encoder.onnx')));
    const otherBytes = new Uint8Array(await readFile(join(otherDir, 'ecg-encoder.onnx')));
    const encoder = new SwappableEncoder(await OnnxNodeEncoder.create(otherBytes), 'r-other');
    const window = new Float32Array(12_000).map((_, i) => Math.sin(i / 9));
    const mask = new Uint8Array(12).fill(1);
    const before = await encoder.run(window, mask, 1);
    const selfTest = (rt: Parameters<typeof runSelfTest>[0]) => runSelfTest(rt, good.selfTest);

    const truncated = await encoder.swap(() => OnnxNodeEncoder.create(goodBytes.subarray(0, 1000)), {
      label: 'r-good',
      selfTest,
    });
    expect(truncated).toMatchObject({ ok: false, stage: 'load' });
    // The other release's model is a valid ONNX file but not the model the manifest's self-test describes.
    const wrong = await encoder.swap(() => OnnxNodeEncoder.create(otherBytes), { label: 'r-good', selfTest });
    expect(wrong).toMatchObject({ ok: false, stage: 'self-test' });
    expect(encoder.label).toBe('r-other');
    expect(await encoder.run(window, mask, 1)).toEqual(before);

    const running = [...Array(20)].map(() => encoder.run(window, mask, 1));
    const swapped = await encoder.swap(() => OnnxNodeEncoder.create(goodBytes), {
      label: 'r-good',
      selfTest,
    });
    expect(swapped).toEqual({ ok: true, label: 'r-good', previous: 'r-other' });
    expect((await Promise.all(running)).length).toBe(20);
    const after = await encoder.run(window, mask, 1);
    expect(after).not.toEqual(before);
    await encoder.release();
  });
});
