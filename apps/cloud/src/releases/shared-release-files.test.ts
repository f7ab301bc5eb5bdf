/**
 * Two cloud instances on one PostgreSQL server, each with a data directory of its own (two machines): a
 * release registered on the first, whose folder is then deleted, is loaded by the second for its ingest
 * and its files are served by it byte for byte, as is the model a rollout through the first exported.
 * (PGlite serves one process: the same code on PGlite is tested in release-files.test.ts.)
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeEmbeddingMessage } from '@heartline/contract';
import type { DeviceManifest } from '@heartline/model/onnx';
import { databaseTargets, generateSigningKeys, makeRelease, stopTestPostgres } from '@heartline/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cloud, startCloud } from '../cloud.js';
import { addDevice } from '../storage/devices.js';
import { createToken } from '../storage/tokens.js';
import { loadReleaseModel } from './release-models.js';

const postgres = databaseTargets().find((t) => t.name !== 'PGlite');
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe.skipIf(!postgres)('two cloud instances on one PostgreSQL database', () => {
  let work: string;
  let fixtureDir: string;
  let releaseId: string;
  let first: Cloud;
  let second: Cloud;
  let token: string;
  const get = (cloud: Cloud, path: string) =>
    cloud.api.request(`/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'hl-shared-releases-'));
    fixtureDir = join(work, 'fixture');
    releaseId = (await makeRelease(fixtureDir, 11, generateSigningKeys().privateKeyPem)).release;
    const origin = join(work, 'origin');
    await cp(fixtureDir, origin, { recursive: true });
    const databaseUrl = await postgres!.newDatabase();
    const common = { databaseUrl, mqttPort: 0, flushMs: 1, log: () => undefined };
    first = await startCloud({ ...common, dataDir: join(work, 'first'), releaseDirs: [origin] });
    second = await startCloud({ ...common, dataDir: join(work, 'second') });
    // The first instance's machine loses the folder too: the database is the only copy left.
    await rm(origin, { recursive: true });
    token = await createToken(first.db, 'viewer');
    await addDevice(first.db, 'dev-1');
  }, 180_000);
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await stopTestPostgres();
    await rm(work, { recursive: true, force: true });
  });

  it('projects embeddings of the release the other instance registered (ingest)', async () => {
    const reference = await loadReleaseModel(fixtureDir);
    const h = Float32Array.from({ length: reference.ecgDim }, (_, i) => Math.sin(i) + 0.5);
    const message = {
      v: 1,
      deviceId: 'dev-1',
      seq: 1,
      t0: Date.now(),
      release: releaseId,
      leadMask: 0xfff,
      quality: 0.9,
      h,
    } as const;
    await second.ingest.handle('hl/v1/dev/dev-1/emb', encodeEmbeddingMessage(message));
    expect(second.ingest.stats().stored).toBe(1);
    const { rows } = await second.db.query<{ z: number[] }>('SELECT z::real[] AS z FROM embeddings');
    const expected = reference.projectEcg(h, 1);
    expect(rows[0]!.z).toHaveLength(expected.length);
    for (const [i, v] of rows[0]!.z.entries()) expect(v).toBeCloseTo(expected[i]!, 6);
    expect(existsSync(join(work, 'second', 'release-cache', releaseId, 'weights.bin'))).toBe(true);
  }, 60_000);

  it("serves the release's model file byte for byte from the instance that never had it", async () => {
    const response = await get(second, `/releases/${releaseId}/files/ecg-encoder.onnx`);
    expect(response.status).toBe(200);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const manifest = JSON.parse(
      await readFile(join(fixtureDir, 'device-manifest.json'), 'utf8'),
    ) as DeviceManifest;
    expect(sha256(bytes)).toBe(manifest.onnx.sha256);
    expect(Buffer.from(bytes).equals(await readFile(join(fixtureDir, 'ecg-encoder.onnx')))).toBe(true);
  });

  it('serves the model a rollout through the other instance exported, as its signed manifest says', async () => {
    const { manifest } = await first.rollout.rollOut(releaseId, 'stable');
    const { onnx } = manifest as DeviceManifest;
    const response = await get(second, `/releases/${releaseId}/files/ecg-encoder.onnx`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([bytes.byteLength, sha256(bytes)]).toEqual([onnx.bytes, onnx.sha256]);
  }, 60_000);

  it("shows the release's evaluation and training log from its stored files", async () => {
    const response = await get(second, `/releases/${releaseId}`);
    expect(response.status).toBe(200);
    const details = (await response.json()) as { metrics: unknown; trainingLog: unknown[] };
    expect(details.metrics).not.toBeNull();
    expect(details.trainingLog.length).toBeGreaterThan(0);
  });

  it('refuses to serve a stored file changed after it was stored', async () => {
    const flip = (by: number) =>
      first.db.query(
        `UPDATE release_files SET bytes = set_byte(bytes, 10, (get_byte(bytes, 10) + $2) % 256)
         WHERE release = $1 AND name = 'ecg-encoder.onnx'`,
        [releaseId, by],
      );
    await flip(1);
    try {
      const response = await get(second, `/releases/${releaseId}/files/ecg-encoder.onnx`);
      expect(response.status).toBe(500);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('INTERNAL');
    } finally {
      await flip(255);
    }
    expect((await get(second, `/releases/${releaseId}/files/ecg-encoder.onnx`)).status).toBe(200);
  });
});
