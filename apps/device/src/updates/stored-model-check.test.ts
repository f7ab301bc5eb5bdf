/**
 * `loadStored` checks the stored model again before using it: a byte flipped on disk after install is
 * refused (reason `hash`), for a model installed from a signed manifest and for one provisioned by file.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKeys, makeRelease, type ReleaseFixture } from '@heartline/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxNodeEncoder } from '../runtime/onnx-node-runtime.js';
import { ModelStore } from './model-store.js';
import { ModelUpdater, type UpdateEvent } from './model-updater.js';
import { nodeReleaseCrypto, readPublicKey } from './verify-release.js';

const keys = generateSigningKeys();
let root: string;
let a: ReleaseFixture;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hl-stored-model-'));
  a = await makeRelease(join(root, 'rel-a'), 1, keys.privateKeyPem);
}, 120_000);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function updater(stateDir: string) {
  const events: UpdateEvent[] = [];
  const updater = new ModelUpdater({
    store: await ModelStore.open(stateDir),
    crypto: nodeReleaseCrypto(readPublicKey(keys.publicKeyPem)),
    createRuntime: (bytes, options) => OnnxNodeEncoder.create(bytes, options),
    onEvent: (e) => events.push(e),
  });
  return { updater, events };
}

/** Flips one bit of one byte of a file in place. */
async function flipByte(path: string, at: number): Promise<void> {
  const bytes = await readFile(path);
  bytes[at] = bytes[at]! ^ 0x01;
  await writeFile(path, bytes);
}

describe('ModelUpdater.loadStored', () => {
  for (const [what, withManifest] of [
    ['a model installed with its signed manifest', true],
    ['a model provisioned by file without a manifest', false],
  ] as const) {
    it(`loads ${what} again, and refuses it once a byte on disk changed`, async () => {
      const stateDir = join(root, withManifest ? 'signed' : 'provisioned');
      const first = await updater(stateDir);
      const installed = await first.updater.provision(
        a.release,
        a.onnx,
        withManifest ? a.manifest : undefined,
      );
      expect(installed.kind).toBe('installed');
      await first.updater.release();

      const again = await updater(stateDir);
      expect(await again.updater.loadStored()).toBe(true);
      await again.updater.release();

      await flipByte(join(stateDir, 'models', `${a.release}.onnx`), Math.floor(a.onnx.length / 2));
      const tampered = await updater(stateDir);
      expect(await tampered.updater.loadStored()).toBe(false);
      expect(tampered.updater.encoder).toBeUndefined();
      expect(tampered.events).toEqual([
        expect.objectContaining({ kind: 'refused', release: a.release, reason: 'hash' }),
      ]);
    });
  }

  it('refuses a stored manifest whose signature no longer verifies', async () => {
    const stateDir = join(root, 'manifest-edited');
    const first = await updater(stateDir);
    expect((await first.updater.provision(a.release, a.onnx, a.manifest)).kind).toBe('installed');
    await first.updater.release();
    const manifestPath = join(stateDir, 'models', `${a.release}.manifest.json`);
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    await writeFile(
      manifestPath,
      JSON.stringify({ ...manifest, onnx: { ...manifest.onnx, sha256: '0'.repeat(64) } }),
    );
    const edited = await updater(stateDir);
    expect(await edited.updater.loadStored()).toBe(false);
    expect(edited.events).toEqual([expect.objectContaining({ kind: 'refused', reason: 'signature' })]);
  });
});
