/**
 * Commands from the cloud's API to a real device process (`heartline device`: ONNX Runtime, disk outbox)
 * over the embedded broker. The device starts on stable and installs its release A from the retained
 * manifest; `assign-channel` moves it to canary, where it installs the
 * canary's release (signed by the cloud, downloaded with its credentials); `rollback` takes it back to
 * the release it had. The evidence is the device's own retained state (channel, release, lastCommand with
 * the id the API answered) and the windows stored under each release.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDevice, type Cloud, createToken, startCloud } from '@heartline/cloud';
import { TOPICS } from '@heartline/contract';
import { generateSigningKeys, makeRelease, type ReleaseFixture } from '@heartline/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeviceProcess, spawnDevice } from './device-harness.js';

let root: string;
let a: ReleaseFixture;
let b: ReleaseFixture;
let cloud: Cloud;
let operator: string;
/** Every state message dev-k published, as the cloud received it. */
const states: Record<string, unknown>[] = [];

async function api(path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await cloud.api.request(`/api/v1${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Windows of dev-k stored under `release`. */
async function stored(release: string): Promise<number> {
  const { rows } = await cloud.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM embeddings WHERE device_id = 'dev-k' AND release = $1`,
    [release],
  );
  return rows[0]!.n;
}

/** The newest state of dev-k. */
const latest = () => states.at(-1) ?? {};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hl-device-commands-'));
  const fixtureKeys = generateSigningKeys();
  a = await makeRelease(join(root, 'a'), 1, fixtureKeys.privateKeyPem);
  b = await makeRelease(join(root, 'b'), 2, fixtureKeys.privateKeyPem);
  cloud = await startCloud({
    mqttPort: 0,
    httpPort: 0,
    releaseDirs: [a.dir, b.dir],
    flushMs: 5,
    log: () => undefined,
  });
  operator = await createToken(cloud.db, 'operator');
  await cloud.bus.subscribe(TOPICS.state('dev-k'), (_topic, payload) => {
    states.push(JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>);
  });
  // Stable runs A, the canary B, both signed by the cloud's key.
  expect((await api(`/releases/${a.release}/rollout`, { channel: 'stable' })).status).toBe(200);
  expect((await api(`/releases/${b.release}/rollout`, { channel: 'canary' })).status).toBe(200);
});

afterAll(async () => {
  await cloud?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('device commands from the API', () => {
  it('moves a running device to another channel, whose release it installs, and rolls it back', async () => {
    const secret = await addDevice(cloud.db, 'dev-k', 'stable');
    const keyFile = join(root, 'cloud-key.pub.pem');
    await writeFile(keyFile, (await api('/signing-key')).json['publicKeyPem'] as string);
    const device: DeviceProcess = spawnDevice([
      ...['--broker', `mqtt://127.0.0.1:${cloud.mqttPort}`, '--id', 'dev-k', `--secret=${secret}`],
      ...['--channel', 'stable', '--source', 'synthetic:5', '--realtime', '--speed', '40'],
      ...['--public-key', keyFile, '--state', join(root, 'state')],
    ]);
    try {
      await expect
        .poll(() => stored(a.release), { timeout: 60_000, message: 'windows of A stored' })
        .toBeGreaterThanOrEqual(2);
      expect(latest()).toMatchObject({ channel: 'stable', release: a.release });

      const assigned = await api('/devices/dev-k/commands', { type: 'assign-channel', channel: 'canary' });
      expect(assigned.status).toBe(202);
      const assignId = assigned.json['id'] as string;
      // The device reports the command done and follows canary: its retained manifest brings B.
      await expect
        .poll(() => latest(), {
          timeout: 60_000,
          message: `${device.output()}\nthe state after assign-channel`,
        })
        .toMatchObject({
          channel: 'canary',
          release: b.release,
          previousRelease: a.release,
          lastCommand: { id: assignId, type: 'assign-channel', outcome: 'done' },
        });
      await expect
        .poll(() => stored(b.release), { timeout: 60_000, message: 'windows of B stored' })
        .toBeGreaterThanOrEqual(2);
      const fleet = (await api('/fleet')).json['devices'] as Record<string, unknown>[];
      expect(fleet.find((d) => d['id'] === 'dev-k')).toMatchObject({ channel: 'canary', release: b.release });

      const rolledBack = await api('/devices/dev-k/commands', { type: 'rollback' });
      expect(rolledBack.status).toBe(202);
      const rollbackId = rolledBack.json['id'] as string;
      await expect
        .poll(() => latest(), { timeout: 60_000, message: `${device.output()}\nthe state after rollback` })
        .toMatchObject({
          channel: 'canary',
          release: a.release,
          lastCommand: { id: rollbackId, type: 'rollback', outcome: 'done' },
          update: { kind: 'rolled-back', from: b.release, to: a.release },
        });
      // Windows keep coming under A, and B (blocked by the rollback) is not installed again from the
      // canary's retained manifest: A's count grows while the state still names A.
      const aBefore = await stored(a.release);
      await expect
        .poll(() => stored(a.release), { timeout: 60_000, message: 'more windows of A after the rollback' })
        .toBeGreaterThanOrEqual(aBefore + 3);
      expect(latest()).toMatchObject({ release: a.release, channel: 'canary' });
    } finally {
      device.kill();
    }
  }, 240_000);
});
