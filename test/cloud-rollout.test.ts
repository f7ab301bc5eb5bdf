/**
 * Releases and rollout with real parts: two tiny trained releases, the cloud with its embedded broker,
 * PGlite and HTTP listener, and an mqtt.js device on the canary channel. A rollout publishes a retained,
 * Ed25519-signed manifest whose ONNX download matches its sha256; a rollback re-publishes the previous one.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDevice, type Cloud, createToken, startCloud } from '@heartline/cloud';
import { type DeviceManifest, verifyDeviceManifest } from '@heartline/model/onnx';
import { ed25519Verifier } from '@heartline/trainer';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHeartline } from './support/run-heartline.js';

let work: string;
let cloud: Cloud;
let operator: string;
let device: MqttClient;
const manifests: DeviceManifest[] = [];
const releaseIds: string[] = [];

function api(path: string, init: { method?: string; body?: unknown } = {}) {
  return fetch(`http://127.0.0.1:${cloud.httpPort}/api/v1${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
}

async function nextManifest(count: number): Promise<DeviceManifest> {
  await expect
    .poll(() => manifests.length, { timeout: 20_000, interval: 20, message: `manifest ${count} arriving` })
    .toBeGreaterThanOrEqual(count);
  return manifests[count - 1]!;
}

let deviceSecret: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hl-cloud-rollout-'));
  const runs = await Promise.all(
    ['a', 'b'].map((name, i) =>
      runHeartline(['train', '--out', join(work, name), '--preset', 'tiny', '--seed', String(i + 1)]),
    ),
  );
  for (const run of runs) expect(run.code, run.stderr).toBe(0);
  cloud = await startCloud({
    dataDir: join(work, 'data'),
    httpPort: 0,
    mqttPort: 0,
    releaseDirs: [join(work, 'a')],
    importRoots: [work],
    log: () => undefined,
  });
  operator = await createToken(cloud.db, 'operator');
  const registered = await api('/releases', { body: { dir: join(work, 'b') } });
  expect(registered.status).toBe(201);
  const { releases } = await (await api('/releases')).json();
  releaseIds.push(...releases.map((r: { id: string }) => r.id));
  const secret = await addDevice(cloud.db, 'dev-r', 'canary');
  deviceSecret = secret;
  device = await mqtt.connectAsync(`mqtt://127.0.0.1:${cloud.mqttPort}`, {
    clientId: 'hl-dev-dev-r',
    username: 'dev-r',
    password: secret,
    reconnectPeriod: 0,
  });
  device.on('message', (_topic, payload) => manifests.push(JSON.parse(payload.toString('utf8'))));
  await device.subscribeAsync('hl/v1/rel/canary', { qos: 1 });
});

afterAll(async () => {
  await device?.endAsync();
  await cloud?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('rollout', () => {
  it('keeps the signing key in the database, shared by every instance, and answers its public half only', async () => {
    const { rows } = await cloud.db.query<{ key_id: string }>('SELECT key_id FROM signing_key');
    const answer = await (await api('/signing-key')).json();
    expect(rows).toEqual([{ key_id: answer.keyId }]);
    expect(JSON.stringify(answer)).not.toContain('PRIVATE');
    await expect(stat(join(work, 'data', 'signing-key.pem'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a rollback on a channel without an earlier release', async () => {
    const res = await api('/channels/canary/rollback', { body: {} });
    expect(res.status).toBe(409);
  });

  it('publishes a signed manifest whose download matches its sha256, for devices and users only', async () => {
    expect(releaseIds).toHaveLength(2);
    const res = await api(`/releases/${releaseIds[0]}/rollout`, { body: { channel: 'canary' } });
    expect(res.status, await res.clone().text()).toBe(200);
    const manifest = await nextManifest(1);
    expect(manifest.release).toBe(releaseIds[0]);
    const { publicKeyPem } = await (await api('/signing-key')).json();
    expect(await verifyDeviceManifest(manifest, ed25519Verifier(publicKeyPem))).toBe(true);
    const tampered = { ...manifest, release: 'other' };
    expect(await verifyDeviceManifest(tampered, ed25519Verifier(publicKeyPem))).toBe(false);
    // Model files go to the fleet's devices (Basic id:secret) and dashboard users only.
    expect((await fetch(manifest.onnx.url!)).status).toBe(401);
    const basic = (id: string, secret: string) =>
      `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    expect(
      (await fetch(manifest.onnx.url!, { headers: { authorization: basic('dev-r', 'wrong') } })).status,
    ).toBe(401);
    expect(
      (await fetch(manifest.onnx.url!, { headers: { authorization: `Bearer ${operator}` } })).status,
    ).toBe(200);
    const download = await fetch(manifest.onnx.url!, {
      headers: { authorization: basic('dev-r', deviceSecret) },
    });
    expect(download.status).toBe(200);
    const bytes = new Uint8Array(await download.arrayBuffer());
    expect(bytes.byteLength).toBe(manifest.onnx.bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(manifest.onnx.sha256);
  });

  it('rolls the channel forward to a new release and back to the previous one', async () => {
    expect((await api(`/releases/${releaseIds[1]}/rollout`, { body: { channel: 'canary' } })).status).toBe(
      200,
    );
    expect((await nextManifest(2)).release).toBe(releaseIds[1]);
    expect((await api('/channels/canary/rollback', { body: {} })).status).toBe(200);
    expect((await nextManifest(3)).release).toBe(releaseIds[0]);
    const { channels } = await (await api('/releases')).json();
    expect(channels).toEqual([expect.objectContaining({ channel: 'canary', release: releaseIds[0] })]);
  });

  it('serves only release files that exist and are meant for download', async () => {
    expect(
      (
        await fetch(`http://127.0.0.1:${cloud.httpPort}/api/v1/releases/${releaseIds[0]}/files/weights.bin`, {
          headers: { authorization: `Bearer ${operator}` },
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await fetch(`http://127.0.0.1:${cloud.httpPort}/api/v1/releases/nope/files/ecg-encoder.onnx`, {
          headers: { authorization: `Bearer ${operator}` },
        })
      ).status,
    ).toBe(404);
  });
});
