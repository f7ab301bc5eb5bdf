/**
 * `POST /devices/{id}/commands` through `app.request` against an in-memory cloud with its embedded
 * broker: what is published on the cmd topic, the stored channel, the audit entry, the refusals, and a
 * device session that may follow the channel it was assigned without logging in again.
 */
import { parseDeviceCommand, TOPICS } from '@heartline/contract';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cloud, startCloud } from '../cloud.js';
import { revokeDevice } from '../security/device-credentials.js';
import { addDevice, findDevice } from '../storage/devices.js';
import { issueToken } from '../storage/tokens.js';

let cloud: Cloud;
const tokens: Record<'viewer' | 'operator' | 'admin', string> = { viewer: '', operator: '', admin: '' };
/** Payloads published on each device's cmd topic, as the cloud's own subscriber sees them. */
const published: { topic: string; text: string }[] = [];

function post(path: string, body: unknown, token = tokens.operator) {
  return cloud.api.request(`/api/v1${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

beforeAll(async () => {
  cloud = await startCloud({ mqttPort: 0, log: () => undefined });
  for (const role of ['viewer', 'operator', 'admin'] as const)
    tokens[role] = (await issueToken(cloud.db, role, { label: role })).token;
  await cloud.bus.subscribe('hl/v1/dev/+/cmd', (topic, payload) => {
    published.push({ topic, text: new TextDecoder().decode(payload) });
  });
  // Opening PGlite and migrating takes seconds on a loaded machine.
}, 60_000);

afterAll(async () => {
  await cloud?.close();
});

describe('POST /devices/{id}/commands', () => {
  it('publishes an assign-channel with a new id, stores the channel and audits the request', async () => {
    await addDevice(cloud.db, 'dev-a', 'stable');
    const res = await post('/devices/dev-a/commands', { type: 'assign-channel', channel: 'canary' });
    expect(res.status).toBe(202);
    const sent = (await res.json()) as { id: string; deviceId: string; topic: string };
    expect(sent).toMatchObject({ deviceId: 'dev-a', topic: TOPICS.command('dev-a') });
    expect(sent.id).toMatch(/^[0-9a-f-]{36}$/);
    const payload = published.find((p) => p.topic === TOPICS.command('dev-a'));
    expect(parseDeviceCommand(payload!.text)).toEqual({
      type: 'assign-channel',
      channel: 'canary',
      id: sent.id,
    });
    expect((await findDevice(cloud.db, 'dev-a'))?.channel).toBe('canary');

    const audit = await cloud.api.request('/api/v1/audit?limit=5', {
      headers: { authorization: `Bearer ${tokens.admin}` },
    });
    const { entries } = (await audit.json()) as { entries: Record<string, unknown>[] };
    expect(entries[0]).toMatchObject({
      role: 'operator',
      method: 'POST',
      route: '/api/v1/devices/:id/commands',
      target: '/api/v1/devices/dev-a/commands',
      status: 202,
    });
  });

  it('publishes rollback and resend as given, each with its own id', async () => {
    await addDevice(cloud.db, 'dev-b');
    const ids: string[] = [];
    for (const body of [{ type: 'rollback' }, { type: 'resend', fromSeq: 40 }]) {
      const res = await post('/devices/dev-b/commands', body);
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as { id: string };
      ids.push(id);
      const last = published.filter((p) => p.topic === TOPICS.command('dev-b')).at(-1);
      expect(parseDeviceCommand(last!.text)).toEqual({ ...body, id });
    }
    expect(new Set(ids).size).toBe(2);
    expect((await findDevice(cloud.db, 'dev-b'))?.channel).toBe('stable');
  });

  it('refuses an unknown device (404), a revoked one (409), invalid commands (400) and viewers (403)', async () => {
    await addDevice(cloud.db, 'dev-r');
    await revokeDevice(cloud.db, 'dev-r');
    await addDevice(cloud.db, 'dev-c');
    const before = published.length;
    expect((await post('/devices/nobody/commands', { type: 'rollback' })).status).toBe(404);
    expect((await post('/devices/dev-r/commands', { type: 'rollback' })).status).toBe(409);
    for (const body of [
      { type: 'reboot' },
      { type: 'assign-channel', channel: 'a/#' },
      { type: 'assign-channel', channel: '' },
      { type: 'assign-channel' },
      { type: 'resend', fromSeq: -1 },
      { type: 'resend', fromSeq: 'x' },
      'rollback',
    ]) {
      const res = await post('/devices/dev-c/commands', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST');
    }
    expect((await post('/devices/dev-c/commands', { type: 'rollback' }, tokens.viewer)).status).toBe(403);
    expect(published.length).toBe(before);
    expect((await findDevice(cloud.db, 'dev-c'))?.channel).toBe('stable');
  });

  it('documents its answers in the OpenAPI document', async () => {
    const doc = (await (await cloud.api.request('/api/v1/openapi.json')).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const responses = doc.paths['/devices/{id}/commands']?.['post']?.responses ?? {};
    expect(Object.keys(responses).sort()).toEqual(['202', '400', '401', '403', '404', '409', '413', '500']);
  });

  it('lets a connected device subscribe to the channel it was assigned, in the session it has', async () => {
    const secret = await addDevice(cloud.db, 'dev-s', 'stable');
    const device: MqttClient = await mqtt.connectAsync(`mqtt://127.0.0.1:${cloud.mqttPort}`, {
      protocolVersion: 4,
      clientId: 'hl-dev-dev-s',
      username: 'dev-s',
      password: secret,
      reconnectPeriod: 0,
    });
    try {
      const commands: string[] = [];
      device.on('message', (topic, payload) => {
        if (topic === TOPICS.command('dev-s')) commands.push(payload.toString());
      });
      const granted = await device.subscribeAsync([TOPICS.command('dev-s'), TOPICS.release('stable')], {
        qos: 1,
      });
      expect(granted.map((g) => g.qos)).toEqual([1, 1]);
      // Not its channel yet: refused (mqtt.js rejects a SUBACK failure with the packet).
      await expect(device.subscribeAsync(TOPICS.release('canary'), { qos: 1 })).rejects.toMatchObject({
        packet: { granted: [0x80] },
      });

      const res = await post('/devices/dev-s/commands', { type: 'assign-channel', channel: 'canary' });
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as { id: string };
      await expect.poll(() => commands.length, { timeout: 5000 }).toBe(1);
      expect(parseDeviceCommand(commands[0]!)).toMatchObject({
        type: 'assign-channel',
        channel: 'canary',
        id,
      });
      const [canary] = await device.subscribeAsync(TOPICS.release('canary'), { qos: 1 });
      expect(canary?.qos).toBe(1);
      // Later commands reach the same session.
      await post('/devices/dev-s/commands', { type: 'resend', fromSeq: 0 });
      await expect.poll(() => commands.length, { timeout: 5000 }).toBe(2);
      expect(parseDeviceCommand(commands[1]!)).toMatchObject({ type: 'resend' });
    } finally {
      await device.endAsync(true);
    }
  });
});
