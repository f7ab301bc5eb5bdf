/**
 * Fleet state and automatic rollback with real parts: two tiny trained releases, the cloud with its
 * embedded aedes broker, PGlite and HTTP listener, and a real device (ONNX Runtime, disk outbox) behind
 * a TCP relay whose connections the test can cut. The device's retained state reaches GET /fleet; its
 * last will marks it offline once its connection is destroyed; a malformed state is counted and dropped;
 * a quorum of the canary's devices refusing its new release (one device alone is not enough), and
 * windows of clearly lower quality under a new release from a quorum of a channel's devices, each roll
 * the channel back once, with the reason and the devices counted in GET /channels/{channel}/events.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDevice, type Cloud, createToken, startCloud } from '@heartline/cloud';
import { encodeEmbeddingMessage, TOPICS } from '@heartline/contract';
import { Device, readPublicKey, syntheticSource } from '@heartline/device';
import { OnnxNodeEncoder } from '@heartline/device/runtime';
import { generateSigningKeys, makeRelease, type ReleaseFixture } from '@heartline/test-support';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

let root: string;
let a: ReleaseFixture;
let b: ReleaseFixture;
let cloud: Cloud;
let operator: string;
let relay: Relay;
let device: Device;
const deviceLog: string[] = [];

/** A TCP relay to the broker whose connections can be destroyed (no MQTT DISCONNECT: the will fires). */
interface Relay {
  readonly url: string;
  close(): Promise<void>;
}

async function startRelay(port: number): Promise<Relay> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = new Socket();
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        inbound.destroy();
        outbound.destroy();
      });
    }
    outbound.connect(port, '127.0.0.1', () => {
      inbound.pipe(outbound);
      outbound.pipe(inbound);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port: relayPort } = server.address() as { port: number };
  return {
    url: `mqtt://127.0.0.1:${relayPort}`,
    close: async () => {
      const closed = new Promise<void>((done) => server.close(() => done()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

async function api(path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await cloud.api.request(`/api/v1${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

type FleetDevice = Record<string, unknown> & { id: string };
async function fleetDevice(id: string): Promise<FleetDevice> {
  const { json } = await api('/fleet');
  return (json['devices'] as FleetDevice[]).find((d) => d.id === id)!;
}

type ChannelEvent = { time: string; action: string; release: string; reason: string; devices: string[] };
async function events(channel: string): Promise<ChannelEvent[]> {
  return (await api(`/channels/${channel}/events`)).json['events'] as ChannelEvent[];
}

/**
 * Waits until two more states of `id` were stored after the one stored at `lastSeen`. The cloud handles a
 * device's state (store, then the release guard) before it reads the device's next packets, so a later
 * state stored is positive evidence that the earlier one was fully weighed; two, because packets read in
 * one batch are handled side by side.
 */
async function twoNewerStates(id: string, lastSeen: unknown): Promise<void> {
  const seen = new Set([lastSeen]);
  await vi.waitFor(
    async () => {
      seen.add((await fleetDevice(id))['lastSeen']);
      expect(seen.size, `states of ${id} stored after ${String(lastSeen)}`).toBeGreaterThanOrEqual(3);
    },
    { timeout: 30_000, interval: 100 },
  );
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hl-cloud-fleet-'));
  const fixtureKeys = generateSigningKeys();
  a = await makeRelease(join(root, 'a'), 1, fixtureKeys.privateKeyPem);
  b = await makeRelease(join(root, 'b'), 2, fixtureKeys.privateKeyPem);
  cloud = await startCloud({
    mqttPort: 0,
    httpPort: 0,
    releaseDirs: [a.dir, b.dir],
    flushMs: 5,
    // Nothing listens here: every download of a rolled-out release fails on the device.
    publicUrl: 'http://127.0.0.1:9',
    // The default quorum: at least 2 devices and 30 % of the channel's devices.
    releaseGuard: { minSamples: 5, maxQualityDrop: 0.15, qualityCheckMs: 100 },
    log: () => undefined,
  });
  operator = await createToken(cloud.db, 'operator');
  const secret = await addDevice(cloud.db, 'dev-f', 'canary');
  const { json: key } = await api('/signing-key');
  relay = await startRelay(cloud.mqttPort!);
  device = new Device({
    deviceId: 'dev-f',
    secret,
    brokerUrl: relay.url,
    channel: 'canary',
    source: syntheticSource({ seed: 3, pacing: 'realtime', speed: 40 }),
    stateDir: join(root, 'state'),
    publicKey: readPublicKey(key['publicKeyPem'] as string),
    createRuntime: (bytes, options) => OnnxNodeEncoder.create(bytes, options),
    // Provisioned without a manifest (the fixture's is signed with another key than the cloud's).
    model: { release: a.release, bytes: a.onnx },
    stateIntervalMs: 200,
    minReconnectMs: 100,
    maxReconnectMs: 200,
    log: (line) => deviceLog.push(line),
  });
  await device.start();
});

afterAll(async () => {
  await device?.stop();
  await relay?.close();
  await cloud?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('fleet state', () => {
  it('shows a real device online with its release, counters and queue', async () => {
    const d = await vi.waitFor(
      async () => {
        const d = await fleetDevice('dev-f');
        expect(d, 'dev-f online with windows sent').toMatchObject({ online: true, sent: expect.any(Number) });
        expect(d['sent']).toBeGreaterThan(0);
        return d;
      },
      { timeout: 60_000, interval: 100 },
    );
    expect(d).toMatchObject({ channel: 'canary', revoked: false, release: a.release });
    expect(d['queued']).toEqual(expect.any(Number));
    expect(d['encoded']).toBeGreaterThanOrEqual(d['sent'] as number);
    expect(Date.parse(d['lastWindowT0'] as string)).toBeGreaterThan(0);
    expect(Date.parse(d['lastSeen'] as string)).toBeGreaterThan(Date.now() - 60_000);
    expect(d['update']).toMatchObject({ kind: 'installed', release: a.release });
  });

  it('counts a malformed state payload as rejected and keeps serving', async () => {
    const secret = await addDevice(cloud.db, 'dev-m');
    const client: MqttClient = await mqtt.connectAsync(`mqtt://127.0.0.1:${cloud.mqttPort}`, {
      clientId: 'hl-dev-dev-m',
      username: 'dev-m',
      password: secret,
      reconnectPeriod: 0,
    });
    try {
      await client.publishAsync(TOPICS.state('dev-m'), '{"deviceId":"dev-m","online":"maybe"}', {
        qos: 1,
        retain: true,
      });
      await client.publishAsync(TOPICS.state('dev-m'), 'not json at all', { qos: 1 });
    } finally {
      await client.endAsync();
    }
    const rejected = async () => {
      const { json } = await api('/stats');
      return (json['ingest'] as { rejected: Record<string, number> }).rejected['state-malformed'] ?? 0;
    };
    await expect.poll(rejected, { timeout: 10_000, message: 'two state rejections' }).toBe(2);
    expect(await fleetDevice('dev-m')).toMatchObject({ online: false, release: null, lastSeen: null });
  });
});

describe('automatic rollback', () => {
  it('rolls the canary back once when a quorum of its devices reports a failed update of its new release', async () => {
    // A second canary device (a plain MQTT client), so the canary's 2 devices can make the quorum of 2.
    const secret = await addDevice(cloud.db, 'dev-g', 'canary');
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${cloud.mqttPort}`, {
      clientId: 'hl-dev-dev-g',
      username: 'dev-g',
      password: secret,
      reconnectPeriod: 0,
    });
    try {
      expect((await api(`/releases/${a.release}/rollout`, { channel: 'canary' })).status).toBe(200);
      expect((await api(`/releases/${b.release}/rollout`, { channel: 'canary' })).status).toBe(200);
      // dev-f refuses b (its downloads fail) and reports it again with every state: no quorum alone.
      const refusedSeen = await vi.waitFor(
        async () => {
          const d = await fleetDevice('dev-f');
          expect(d['update'], 'dev-f reporting its refusal of b').toMatchObject({
            kind: 'refused',
            release: b.release,
          });
          return d['lastSeen'];
        },
        { timeout: 60_000, interval: 100 },
      );
      // Positive evidence that the guard weighed dev-f's refusal before the check below: newer states.
      await twoNewerStates('dev-f', refusedSeen);
      expect((await events('canary')).map((e) => e.action)).toEqual(['rollout', 'rollout']);
      expect(device.status.release).toBe(a.release);

      // The canary's other device refuses it too: the quorum is met.
      const update = { kind: 'refused', release: b.release, reason: 'hash', detail: 'sha-256 differs' };
      await client.publishAsync(
        TOPICS.state('dev-g'),
        JSON.stringify({ deviceId: 'dev-g', online: true, release: a.release, encoded: 0, update }),
        { qos: 1, retain: true },
      );
    } finally {
      await client.endAsync();
    }
    const auto = await vi.waitFor(
      async () => {
        const auto = (await events('canary')).find((e) => e.action === 'auto-rollback');
        expect(auto, 'the automatic rollback').toBeDefined();
        return auto!;
      },
      { timeout: 60_000, interval: 100 },
    );
    expect(auto.release).toBe(b.release);
    expect(auto.devices).toEqual(['dev-f', 'dev-g']);
    expect(auto.reason).toMatch(/^2 of 2 devices on the channel \(quorum 2\)/);
    expect(auto.reason).toMatch(new RegExp(`dev-f refused ${b.release} \\(download\\)`));
    expect(auto.reason).toContain(`dev-g refused ${b.release} (hash): sha-256 differs`);
    expect(auto.reason).toContain(`back to ${a.release}`);
    const { json } = await api('/releases');
    expect(json['channels']).toEqual([expect.objectContaining({ channel: 'canary', release: a.release })]);
    expect((await fleetDevice('dev-f'))['update']).toMatchObject({ kind: 'refused', release: b.release });
    expect(device.status.release).toBe(a.release);

    // The device keeps reporting the same refusal: still exactly one rollback.
    await twoNewerStates('dev-f', (await fleetDevice('dev-f'))['lastSeen']);
    const list = await events('canary');
    expect(list.map((e) => e.action)).toEqual(['rollout', 'rollout', 'auto-rollback']);
    expect(list[0]!.devices).toEqual([]);
  });

  it('rolls a channel back when the quality under its new release drops clearly on a quorum of its devices', async () => {
    const { json } = await api('/releases');
    const ecgDim = (json['releases'] as { id: string; ecgDim: number }[]).find(
      (r) => r.id === a.release,
    )!.ecgDim;
    // Two devices on beta (plain MQTT clients): the quorum is both of them.
    const clients = new Map<string, MqttClient>();
    let seq = 0;
    const send = async (deviceId: string, release: string, quality: number, n: number) => {
      for (let i = 0; i < n; i++) {
        const h = Float32Array.from({ length: ecgDim }, (_, k) => Math.sin(seq + k));
        const payload = encodeEmbeddingMessage({
          v: 1,
          deviceId,
          seq: seq++,
          t0: Date.now(),
          release,
          leadMask: 0xfff,
          quality,
          h,
        });
        await clients
          .get(deviceId)!
          .publishAsync(TOPICS.embedding(deviceId), Buffer.from(payload), { qos: 1 });
      }
    };
    try {
      for (const id of ['dev-q', 'dev-r']) {
        const secret = await addDevice(cloud.db, id, 'beta');
        const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${cloud.mqttPort}`, {
          clientId: `hl-dev-${id}`,
          username: id,
          password: secret,
          reconnectPeriod: 0,
        });
        clients.set(id, client);
      }
      expect((await api(`/releases/${a.release}/rollout`, { channel: 'beta' })).status).toBe(200);
      for (const id of clients.keys()) await send(id, a.release, 0.9, 6);
      expect((await api(`/releases/${b.release}/rollout`, { channel: 'beta' })).status).toBe(200);
      // Clearly lower on each device: its mean under b falls to (6·0.85 + 12·0.3) / 18 ≈ 0.48.
      for (const id of clients.keys()) {
        await send(id, b.release, 0.85, 6);
        await send(id, b.release, 0.3, 12);
      }
    } finally {
      for (const client of clients.values()) await client.endAsync();
    }
    const auto = await vi.waitFor(
      async () => {
        const auto = (await events('beta')).find((e) => e.action === 'auto-rollback');
        expect(auto, 'the quality rollback').toBeDefined();
        return auto!;
      },
      { timeout: 60_000, interval: 100 },
    );
    expect(auto.release).toBe(b.release);
    expect(auto.devices).toEqual(['dev-q', 'dev-r']);
    expect(auto.reason).toMatch(/^window quality dropped by more than 0\.15 on 2 of 2 devices/);
    // The check may run before the second device sent all its windows: its own drop is what counts.
    for (const id of ['dev-q', 'dev-r']) {
      expect(auto.reason).toMatch(
        new RegExp(
          `mean window quality of ${id} under ${b.release} is 0\\.\\d+ \\(\\d+ windows\\), 0\\.\\d+ below ${a.release}'s 0\\.900 \\(6 windows\\)`,
        ),
      );
    }
    const channels = (await api('/releases')).json['channels'] as { channel: string; release: string }[];
    expect(channels.find((c) => c.channel === 'beta')?.release).toBe(a.release);
  });
});

describe('last will', () => {
  it('marks the device offline once its connection is destroyed', async () => {
    expect((await fleetDevice('dev-f'))['online']).toBe(true);
    await relay.close();
    const d = await vi.waitFor(
      async () => {
        const d = await fleetDevice('dev-f');
        expect(d['online'], 'dev-f offline').toBe(false);
        return d;
      },
      { timeout: 30_000, interval: 100 },
    );
    // The will says only "offline": what the device last reported stays.
    expect(d['release']).toBe(a.release);
    expect(d['sent']).toEqual(expect.any(Number));
  });
});
