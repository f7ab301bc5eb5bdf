/**
 * Revocation and rotation on the external path, against Debian's mosquitto: after the files are
 * rewritten and mosquitto reloads, the revoked device's session is closed and its logins refused, and a
 * rotated secret replaces the old one; other devices stay connected.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@heartline/node-io';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { revokeDevice, rotateDeviceSecret } from '../security/device-credentials.js';
import { addDevice, listDevices } from '../storage/devices.js';
import type { SqlDriver } from '../storage/driver.js';
import { openStorage } from '../storage/open-storage.js';
import { writeMosquittoFiles } from './mosquitto-config.js';
import { refreshMosquittoCredentials } from './mosquitto-credentials.js';

const MOSQUITTO = '/usr/sbin/mosquitto';
const cloudPassword = 'cloud-test-password';

let work: string;
let db: SqlDriver;
let broker: ChildProcess;
let port: number;
const secrets: Record<string, string> = {};

/** Logs in; the CONNACK return code (0: accepted) and the client. */
function login(id: string, secret: string): Promise<{ code: number; client: mqtt.MqttClient }> {
  return new Promise((resolve) => {
    const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
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

const refresh = async () =>
  refreshMosquittoCredentials(join(work, 'mosquitto'), await listDevices(db), { pid: broker.pid });

if (!existsSync(MOSQUITTO))
  console.warn(`skipping the mosquitto revocation tests: ${MOSQUITTO} is not installed`);

describe.skipIf(!existsSync(MOSQUITTO))('revocation and rotation with mosquitto', () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'hl-mosquitto-revoke-'));
    db = await openStorage({});
    for (const id of ['m-a', 'm-b', 'm-c']) secrets[id] = await addDevice(db, id);
    port = await freePort();
    await writeMosquittoFiles(join(work, 'mosquitto'), {
      port,
      cloudPassword,
      devices: await listDevices(db),
    });
    broker = spawn(MOSQUITTO, ['-c', join(work, 'mosquitto', 'mosquitto.conf')], { stdio: 'ignore' });
    // Up once it lets a registered device in.
    await vi.waitFor(
      async () => {
        const { code, client } = await login('m-c', secrets['m-c']!);
        client.end(true);
        expect(code, 'mosquitto accepting m-c').toBe(0);
      },
      { timeout: 10_000, interval: 100 },
    );
  }, 60_000);

  afterAll(async () => {
    broker?.kill('SIGTERM');
    await db?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('closes a revoked device within 1 s of the reload and refuses it; others stay', async () => {
    const a = await login('m-a', secrets['m-a']!);
    const c = await login('m-c', secrets['m-c']!);
    expect([a.code, c.code]).toEqual([0, 0]);
    const closed = new Promise<number>((r) => a.client.once('close', () => r(performance.now())));
    expect(await revokeDevice(db, 'm-a')).toBe(true);
    const started = performance.now();
    expect(await refresh()).toEqual({ devices: 2, reloaded: true });
    expect((await closed) - started).toBeLessThan(1000);
    expect((await login('m-a', secrets['m-a']!)).code).toBe(5);
    // m-c kept its session: a QoS 1 publish still round-trips.
    await c.client.publishAsync('hl/v1/dev/m-c/state', 'ok', { qos: 1 });
    expect(c.client.connected).toBe(true);
    await c.client.endAsync();
  });

  it('a rotated secret closes the old session on reload; the new secret works, the old one not', async () => {
    const b = await login('m-b', secrets['m-b']!);
    expect(b.code).toBe(0);
    const closed = new Promise<void>((r) => b.client.once('close', () => r()));
    const fresh = await rotateDeviceSecret(db, 'm-b');
    await refresh();
    await closed;
    expect((await login('m-b', secrets['m-b']!)).code).toBe(5);
    const again = await login('m-b', fresh!);
    expect(again.code).toBe(0);
    await again.client.endAsync();
  });
});
