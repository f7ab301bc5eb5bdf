/**
 * Revoking a device and rotating its secret through the cloud's API: the embedded broker closes the
 * device's live session at once and refuses it afterwards; a new secret replaces the old one.
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cloud, startCloud } from '../cloud.js';
import { addDevice } from '../storage/devices.js';
import { createToken } from '../storage/tokens.js';

let cloud: Cloud;
let token: string;

beforeAll(async () => {
  cloud = await startCloud({ mqttPort: 0, log: () => undefined });
  token = await createToken(cloud.db, 'operator');
}, 120_000);
afterAll(() => cloud?.close(), 60_000);

function post(path: string, bearer = token) {
  return cloud.api.request(`/api/v1${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}` },
  });
}

/** Logs in as the device; the CONNACK return code (0: accepted) and the client. */
async function login(id: string, secret: string): Promise<{ code: number; client: mqtt.MqttClient }> {
  return new Promise((resolve) => {
    const client = mqtt.connect(`mqtt://127.0.0.1:${cloud.mqttPort}`, {
      clientId: `hl-dev-${id}`,
      username: id,
      password: secret,
      reconnectPeriod: 0,
      protocolVersion: 4,
    });
    client.once('connect', () => resolve({ code: 0, client }));
    client.once('error', (error) => {
      client.end(true);
      resolve({ code: (error as { code?: number }).code ?? -1, client });
    });
  });
}

describe('device revocation and secret rotation', () => {
  it('disconnects a revoked device within 1 s and refuses it on reconnect', async () => {
    const secret = await addDevice(cloud.db, 'rev-1');
    const { code, client } = await login('rev-1', secret);
    expect(code).toBe(0);
    const revokedEvents: string[] = [];
    const stop = cloud.onDeviceRevoked((id) => revokedEvents.push(id));
    const closed = new Promise<number>((r) => client.once('close', () => r(performance.now())));

    const started = performance.now();
    const response = await post('/devices/rev-1/revoke');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: 'rev-1', revoked: true });
    expect((await closed) - started).toBeLessThan(1000);
    expect(revokedEvents).toEqual(['rev-1']);
    stop();

    expect((await login('rev-1', secret)).code).toBe(4);
  });

  it('rotating a secret closes the session on the old one; the new one works, the old one not', async () => {
    const old = await addDevice(cloud.db, 'rot-1');
    const first = await login('rot-1', old);
    expect(first.code).toBe(0);
    const closed = new Promise<void>((r) => first.client.once('close', () => r()));
    const response = await post('/devices/rot-1/rotate-secret');
    expect(response.status).toBe(200);
    const { secret } = (await response.json()) as { secret: string };
    expect(secret).toMatch(/^hld_/);
    expect(secret).not.toBe(old);
    await closed;
    expect((await login('rot-1', old)).code).toBe(4);
    const again = await login('rot-1', secret);
    expect(again.code).toBe(0);
    await again.client.endAsync();
  });

  it('re-registering a device (POST /devices) closes its session on the old secret', async () => {
    const old = await addDevice(cloud.db, 'rereg-1');
    const first = await login('rereg-1', old);
    expect(first.code).toBe(0);
    const closed = new Promise<void>((r) => first.client.once('close', () => r()));
    const response = await cloud.api.request('/api/v1/devices', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'rereg-1' }),
    });
    expect(response.status).toBe(201);
    await closed;
    const { secret } = (await response.json()) as { secret: string };
    const again = await login('rereg-1', secret);
    expect(again.code).toBe(0);
    await again.client.endAsync();
  });

  it('answers 404 for an unknown device and 403 for a viewer', async () => {
    expect((await post('/devices/nobody/revoke')).status).toBe(404);
    expect((await post('/devices/nobody/rotate-secret')).status).toBe(404);
    const viewer = await createToken(cloud.db, 'viewer');
    expect((await post('/devices/rev-1/revoke', viewer)).status).toBe(403);
  });

  it('refuses to register reserved device ids (hl-…, cloud)', async () => {
    await expect(addDevice(cloud.db, 'hl-dev-x')).rejects.toThrow(/not allowed/);
    await expect(addDevice(cloud.db, 'cloud')).rejects.toThrow(/not allowed/);
    const response = await cloud.api.request('/api/v1/devices', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'hl-dev-victim' }),
    });
    expect(response.status).toBe(400);
  });
});
