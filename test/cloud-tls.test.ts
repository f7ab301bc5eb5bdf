/**
 * Transport security with real parts: a local CA made for the test (nothing is kept in the repository),
 * the cloud with TLS on every listener (HTTPS, MQTTS on the broker's TCP port, WSS at /mqtt), and real
 * devices (ONNX Runtime, disk outbox). A device given the cloud's CA connects over mqtts, downloads the
 * rolled-out release over HTTPS and its embeddings are stored; a device given another CA is refused with
 * a clear TLS error and stores nothing; the API answers over HTTPS to a client trusting the CA only.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addDevice,
  type Cloud,
  countEmbeddings,
  createToken,
  ensureLocalCa,
  type LocalCa,
  startCloud,
} from '@heartline/cloud';
import { Device, readPublicKey, syntheticSource } from '@heartline/device';
import { OnnxNodeEncoder } from '@heartline/device/runtime';
import { generateSigningKeys, makeRelease, type ReleaseFixture } from '@heartline/test-support';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

let root: string;
let release: ReleaseFixture;
let ca: LocalCa;
let otherCa: LocalCa;
let cloud: Cloud;
let operator: string;
const devices: Device[] = [];

/** GET over HTTPS trusting only `caPem`; resolves with status and body, rejects on a TLS failure. */
function httpsGet(url: string, caPem: string | undefined, token?: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = get(
      url,
      {
        ...(caPem !== undefined ? { ca: caPem } : {}),
        headers: token ? { authorization: `Bearer ${token}` } : {},
      },
      (response) => {
        let body = '';
        response.on('data', (chunk) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on('error', reject);
  });
}

function startDevice(id: string, secret: string, trusted: string, log: string[]): Device {
  const device = new Device({
    deviceId: id,
    secret,
    brokerUrl: `mqtts://localhost:${cloud.mqttPort}`,
    tls: { ca: trusted },
    source: syntheticSource({ seed: 5, pacing: 'realtime', speed: 40 }),
    stateDir: join(root, `state-${id}`),
    publicKey: readPublicKey(signingKeyPem),
    createRuntime: (bytes, options) => OnnxNodeEncoder.create(bytes, options),
    minReconnectMs: 100,
    maxReconnectMs: 300,
    log: (line) => log.push(line),
  });
  devices.push(device);
  return device;
}

let signingKeyPem: string;
/** How Node reports a chain that does not end at a trusted CA (the cloud sends its CA along). */
const UNTRUSTED = /^(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)$/;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hl-cloud-tls-'));
  [ca, otherCa] = await Promise.all([
    ensureLocalCa(join(root, 'ca')),
    ensureLocalCa(join(root, 'other-ca'), { caName: 'someone else' }),
  ]);
  release = await makeRelease(join(root, 'a'), 1, generateSigningKeys().privateKeyPem);
  cloud = await startCloud({
    mqttPort: 0,
    httpPort: 0,
    wsPort: 0,
    tls: { cert: ca.cert, key: ca.key, ca: ca.ca },
    releaseDirs: [release.dir],
    flushMs: 5,
    log: () => undefined,
  });
  operator = await createToken(cloud.db, 'operator');
  const key = await httpsGet(`https://localhost:${cloud.httpPort}/api/v1/signing-key`, ca.ca, operator);
  signingKeyPem = (JSON.parse(key.body) as { publicKeyPem: string }).publicKeyPem;
});

afterAll(async () => {
  for (const device of devices) await device.stop().catch(() => undefined);
  await cloud?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('cloud over TLS', () => {
  it('answers the API over HTTPS to a client trusting its CA, and to no other', async () => {
    const ok = await httpsGet(`https://localhost:${cloud.httpPort}/api/v1/devices`, ca.ca, operator);
    expect(ok.status).toBe(200);
    const by127 = await httpsGet(`https://127.0.0.1:${cloud.httpPort}/api/v1/devices`, ca.ca, operator);
    expect(by127.status).toBe(200);
    await expect(
      httpsGet(`https://localhost:${cloud.httpPort}/api/v1/devices`, otherCa.ca, operator),
    ).rejects.toMatchObject({ code: expect.stringMatching(UNTRUSTED) });
    // The system's CAs do not know the local CA either.
    await expect(httpsGet(`https://localhost:${cloud.httpPort}/api/v1/devices`, undefined)).rejects.toThrow();
    // Plain HTTP is not spoken on the port.
    await expect(fetch(`http://127.0.0.1:${cloud.httpPort}/api/v1/devices`)).rejects.toThrow();
  });

  it('refuses a device that trusts another CA with a clear TLS error; stores the right one’s embeddings', async () => {
    const [goodSecret, badSecret] = await Promise.all([
      addDevice(cloud.db, 'dev-good', 'stable'),
      addDevice(cloud.db, 'dev-bad', 'stable'),
    ]);
    const live = await cloud.releases.live();
    await cloud.rollout.rollOut(live[0]!.id, 'stable');

    const badLog: string[] = [];
    const bad = startDevice('dev-bad', badSecret, otherCa.ca, badLog);
    await bad.start();
    const refusal = await vi.waitFor(
      () => {
        const line = badLog.find((line) => line.startsWith('mqtt: '));
        expect(line, 'the bad device’s TLS error').toBeDefined();
        return line!;
      },
      { timeout: 90_000, interval: 100 },
    );
    expect(refusal).toMatch(
      /TLS: mqtts:\/\/localhost:\d+ is not trusted \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)/,
    );
    expect(refusal).toContain('--ca');
    expect(bad.status.connected).toBe(false);

    const goodLog: string[] = [];
    const good = startDevice('dev-good', goodSecret, ca.ca, goodLog);
    await good.start();
    // The release comes through the retained manifest (mqtts) and the ONNX download (HTTPS).
    await expect
      .poll(() => good.status.release, { timeout: 90_000, interval: 100, message: 'the good device’s model' })
      .toBe(release.release);
    await expect
      .poll(() => countEmbeddings(cloud.db, 'dev-good'), {
        timeout: 90_000,
        interval: 100,
        message: 'the good device’s embeddings stored',
      })
      .toBeGreaterThanOrEqual(2);
    expect(goodLog.some((line) => line.startsWith(`model ${release.release} installed`))).toBe(true);
    expect(goodLog.filter((line) => line.startsWith('mqtt: '))).toEqual([]);
    // Evidence in order: the bad device failed before the good one was stored, and it never got in.
    expect(await countEmbeddings(cloud.db, 'dev-bad')).toBe(0);
    expect(bad.status.connected).toBe(false);
    expect(bad.status.release).toBeUndefined();
  });

  it('serves MQTT over WSS at /mqtt (and on its WebSocket port) and refuses plain MQTT on the TLS port', async () => {
    const secret = await addDevice(cloud.db, 'dev-ws', 'stable');
    const client = await mqtt.connectAsync(`wss://localhost:${cloud.httpPort}/mqtt`, {
      protocolVersion: 4,
      clientId: 'hl-dev-dev-ws',
      username: 'dev-ws',
      password: secret,
      ca: ca.ca,
      rejectUnauthorized: true,
      reconnectPeriod: 0,
    });
    expect(client.connected).toBe(true);
    await client.endAsync();
    // The broker's own WebSocket port speaks WSS too.
    const own = await mqtt.connectAsync(`wss://localhost:${cloud.wsPort}/`, {
      protocolVersion: 4,
      clientId: 'hl-dev-dev-ws',
      username: 'dev-ws',
      password: secret,
      ca: ca.ca,
      rejectUnauthorized: true,
      reconnectPeriod: 0,
    });
    expect(own.connected).toBe(true);
    await own.endAsync();
    const plain = mqtt.connect(`mqtt://127.0.0.1:${cloud.mqttPort}`, {
      username: 'dev-ws',
      password: secret,
      reconnectPeriod: 0,
      connectTimeout: 3000,
    });
    const outcome = await new Promise<string>((resolve) => {
      plain.once('connect', () => resolve('connected'));
      plain.once('error', (e) => resolve(`error: ${e.message}`));
      plain.once('close', () => resolve('closed'));
    });
    plain.end(true);
    expect(outcome).not.toBe('connected');
  });
});
