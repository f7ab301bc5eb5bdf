/**
 * The device core's behaviour, once per adapter: each adapter's own environment (the page's memory
 * stores and WebCrypto, the Node device's files and node:crypto) with a scripted link (the test decides
 * when a PUBACK comes), a fake encoder whose output names its model, and downloads from a map, so both
 * adapters are held to one behaviour without a broker or ONNX Runtime.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeEmbeddingMessage, TOPICS } from '@heartline/contract';
import {
  createSelfTestInput,
  encodeFloat32Base64,
  signDeviceManifest,
  type UnsignedDeviceManifest,
} from '@heartline/model/onnx';
import type { EncoderRuntimeFactory } from '@heartline/model/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialsRefusedError, NoSubscribersError, SubscriptionRefusedError } from '../errors.js';
import { nodeEnvironment } from '../node-device.js';
import { syntheticSource } from '../sources/synthetic-source.js';
import { importEd25519PublicKey, sha256Hex } from '../updates/web-crypto.js';
import { storageSequence, webEnvironment } from '../web-device.js';
import { Device, type DeviceOptions } from './device.js';
import type { DeviceEnvironment, DeviceLink, LinkSetup } from './ports.js';

interface Publish {
  readonly topic: string;
  readonly payload: Uint8Array | string;
  readonly retain: boolean;
  readonly ack: () => void;
  readonly fail: (error: Error) => void;
}

/** A link the test drives: connect and drop it, see every publish, acknowledge embeddings by hand. */
class ScriptedLink implements DeviceLink {
  connected = false;
  readonly embeddings: Publish[] = [];
  readonly states: Record<string, unknown>[] = [];
  /** Topics subscribed now (on connect: what the setup names; then as the device asks). */
  readonly subscribed = new Set<string>();
  /** Topics the broker refuses. */
  readonly refuse = new Set<string>();
  ended = false;

  constructor(readonly setup: LinkSetup) {}

  up(): void {
    this.connected = true;
    for (const topic of this.setup.subscriptions()) this.subscribed.add(topic);
    this.setup.onConnect();
  }

  down(): void {
    this.connected = false;
    this.subscribed.clear();
    // As mqtt.js does on a lost connection: publishes waiting for a PUBACK are the caller's to resend.
    for (const p of this.embeddings.splice(0)) p.fail(new Error('connection closed'));
    this.setup.onClose();
  }

  publish(topic: string, payload: Uint8Array | string, retain = false): Promise<void> {
    if (typeof payload === 'string') {
      this.states.push(JSON.parse(payload) as Record<string, unknown>);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.embeddings.push({ topic, payload, retain, ack: resolve, fail: reject });
    });
  }

  async subscribe(topic: string): Promise<void> {
    if (!this.connected) return;
    if (this.refuse.has(topic)) throw new SubscriptionRefusedError([topic]);
    this.subscribed.add(topic);
  }

  async unsubscribe(topic: string): Promise<void> {
    this.subscribed.delete(topic);
  }

  /** Delivers a message on a topic the device is subscribed to (as the broker would). */
  deliver(topic: string, payload: string): void {
    if (this.subscribed.has(topic)) this.setup.onMessage(topic, new TextEncoder().encode(payload));
  }

  /** Acknowledges the `n` oldest pending embedding publishes. */
  ack(n = this.embeddings.length): void {
    for (const p of this.embeddings.splice(0, n)) p.ack();
  }

  interrupt(): void {
    this.down();
  }

  async end(): Promise<void> {
    this.ended = true;
    this.connected = false;
  }
}

/** Sessions whose h is filled with the model's first byte, so a message tells which model made it. */
const fakeRuntime: EncoderRuntimeFactory = async (bytes) => {
  const value = bytes[0] ?? 0;
  let failing = bytes[1] === 0xff;
  return {
    leads: 12,
    samples: 1000,
    run: async (_w, _m, batch) => {
      if (failing) {
        failing = false;
        throw new Error('simulated accelerator fault');
      }
      return new Float32Array(8 * batch).fill(value);
    },
    release: async () => undefined,
  };
};

const keys = generateKeyPairSync('ed25519');
const stranger = generateKeyPairSync('ed25519');
const publicKeyPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** A Storage (localStorage) in a map. */
function mapStorage(): Pick<Storage, 'getItem' | 'setItem'> {
  const map = new Map<string, string>();
  return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

interface Adapter {
  readonly name: string;
  /** The adapter's own environment (stores, crypto), before the test scripts link, runtime and download. */
  environment(dir: string, deviceId: string): Promise<DeviceEnvironment>;
}

const ADAPTERS: Adapter[] = [
  {
    name: 'the browser adapter (memory, localStorage, WebCrypto)',
    environment: async (_dir, deviceId) =>
      webEnvironment({
        deviceId,
        secret: 's',
        brokerUrl: 'ws://127.0.0.1:9/mqtt',
        publicKey: await importEd25519PublicKey(publicKeyPem),
        createRuntime: fakeRuntime,
        sequence: storageSequence(mapStorage()),
        journal: async () => undefined,
      }),
  },
  {
    name: 'the Node adapter (files, node:crypto)',
    environment: async (dir, deviceId) =>
      nodeEnvironment({
        deviceId,
        secret: 's',
        brokerUrl: 'mqtt://127.0.0.1:9',
        stateDir: dir,
        publicKey: keys.publicKey,
        createRuntime: fakeRuntime,
        fsync: false,
      }),
  },
];

/** A signed manifest of a fake model whose self-test expects what `fakeRuntime` gives for `bytes`. */
async function manifestFor(release: string, bytes: Uint8Array, privateKey = keys.privateKey) {
  const input = createSelfTestInput();
  const unsigned: UnsignedDeviceManifest = {
    format: 'heartline-device-manifest',
    formatVersion: 1,
    release,
    onnx: {
      url: `https://models.test/${release}.onnx`,
      sha256: await sha256Hex(bytes),
      bytes: bytes.length,
      precision: 'float32',
    },
    input: { leads: 12, samples: 1000, sampleRate: 100, ecgDim: 8, preprocessing: {} },
    selfTest: {
      input: encodeFloat32Base64(input.window),
      leadMask: Array.from(input.leadMask),
      expected: Array.from({ length: 8 }, () => bytes[0] ?? 0),
      minCosine: 0.999,
    },
    created: '2026-12-04T00:00:00.000Z',
  };
  return signDeviceManifest(unsigned, async (data) => sign(null, data, privateKey));
}

let root: string;
let dirs = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hl-core-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Waits (vitest's poll, 10 s) until `ok` holds; `what` names it when it never does. */
async function until(what: string, ok: () => boolean): Promise<void> {
  await expect.poll(ok, { timeout: 10_000, interval: 5, message: `waiting for ${what}` }).toBe(true);
}

describe.each(ADAPTERS)('Device core with $name', (adapter) => {
  async function makeDevice(options: Partial<DeviceOptions> = {}) {
    const deviceId = `dev-${++dirs}`;
    let link: ScriptedLink | undefined;
    const log: string[] = [];
    const models = new Map<string, Uint8Array>();
    const environment: DeviceEnvironment = {
      ...(await adapter.environment(join(root, deviceId), deviceId)),
      download: async (manifest) => {
        const bytes = models.get(manifest.onnx.url ?? '');
        if (!bytes) throw new Error(`no model at ${manifest.onnx.url}`);
        return bytes;
      },
      connect: (setup) => {
        link = new ScriptedLink(setup);
        return link;
      },
    };
    const device = new Device({
      deviceId,
      environment,
      model: { release: 'r1', bytes: Uint8Array.of(1) },
      log: (line) => log.push(line),
      ...options,
    });
    return { device, deviceId, log, models, link: () => link! };
  }

  const source = (limit: number) => syntheticSource({ seed: 3, sampleRate: 100, limit, startTime: 0 });

  it('queues windows while offline and sends them in seq order once connected, each kept until its PUBACK', async () => {
    const { device, deviceId, link } = await makeDevice({ source: source(5), flushTimeoutMs: 0 });
    await device.start();
    await until('5 windows encoded', () => device.status.encoded === 5);
    expect(device.status).toMatchObject({ connected: false, queued: 5, sent: 0, nextSeq: 5 });

    link().up();
    await until('5 publishes', () => link().embeddings.length === 5);
    const seqs = link().embeddings.map((p) => decodeEmbeddingMessage(p.payload as Uint8Array).seq);
    expect(seqs).toEqual([0, 1, 2, 3, 4]);
    expect(link().embeddings.every((p) => p.topic === TOPICS.embedding(deviceId) && !p.retain)).toBe(true);
    // Sent but not acknowledged: still in the outbox.
    expect(device.status.queued).toBe(5);

    link().ack(2);
    await until('2 acknowledged', () => device.status.sent === 2);
    expect(device.status.queued).toBe(3);
    // The connection drops before the other PUBACKs: they stay and go again on the next connection.
    link().down();
    // Positive evidence the device saw the drop before the unacknowledged three are counted.
    await expect.poll(() => device.status.connected, { timeout: 10_000 }).toBe(false);
    expect(device.status.queued).toBe(3);
    link().up();
    await until('3 resent', () => link().embeddings.length === 3);
    expect(link().embeddings.map((p) => decodeEmbeddingMessage(p.payload as Uint8Array).seq)).toEqual([
      2, 3, 4,
    ]);
    link().ack();
    await device.idle();
    await until('5 acknowledged', () => device.status.sent === 5);
    expect(device.status).toMatchObject({ queued: 0, dropped: 0 });
    await device.stop();
    expect(link().states.at(-1)).toMatchObject({
      online: false,
      status: 'offline',
      queued: 0,
      release: 'r1',
    });
  });

  it('keeps at most maxInFlight publishes unacknowledged', async () => {
    const { device, link } = await makeDevice({ source: source(7), maxInFlight: 3, flushTimeoutMs: 0 });
    await device.start();
    link().up();
    await until('7 windows encoded', () => device.status.encoded === 7);
    await until('3 in flight', () => link().embeddings.length === 3);
    // All seven are in the outbox, so the sender has been offered them all: still only 0, 1, 2 went.
    await until('7 queued', () => device.status.queued === 7);
    const seqsInFlight = () =>
      link().embeddings.map((p) => decodeEmbeddingMessage(p.payload as Uint8Array).seq);
    expect(seqsInFlight()).toEqual([0, 1, 2]);
    // One PUBACK makes room for exactly one more.
    link().ack(1);
    await until('the next one sent', () => device.status.sent === 1 && seqsInFlight().includes(3));
    expect(seqsInFlight()).toEqual([1, 2, 3]);
    // The broker acknowledges whatever is in flight until all seven are through.
    await until('all 7 acknowledged', () => {
      link().ack();
      return device.status.sent === 7;
    });
    await device.idle();
    expect(device.status.sent).toBe(7);
    await device.stop();
  });

  it('pauses and resends a message no subscriber received', async () => {
    const { device, link } = await makeDevice({ source: source(1), flushTimeoutMs: 0 });
    await device.start();
    link().up();
    await until('1 publish', () => link().embeddings.length === 1);
    const failedAt = performance.now();
    link().embeddings.shift()!.fail(new NoSubscribersError('t'));
    await until('resent after the pause', () => link().embeddings.length === 1);
    // Resent only after the sender's pause (250 ms), not at once.
    expect(performance.now() - failedAt).toBeGreaterThanOrEqual(200);
    link().ack();
    await device.idle();
    expect(device.status).toMatchObject({ sent: 1, queued: 0 });
    await device.stop();
  });

  it('obeys the rollback command and ignores what it does not know', async () => {
    const { device, deviceId, log, link } = await makeDevice({ flushTimeoutMs: 0 });
    await device.start();
    expect(await device.models.provision('r2', Uint8Array.of(2))).toMatchObject({ kind: 'installed' });
    expect(device.status).toMatchObject({ release: 'r2', previousRelease: 'r1' });
    link().up();
    link().setup.onMessage(TOPICS.command(deviceId), new TextEncoder().encode('{"type":"reboot"}'));
    link().setup.onMessage(TOPICS.command(deviceId), new TextEncoder().encode('{"type":"rollback"}'));
    await until('the rollback', () => log.includes('model rolled back from r2 to r1: rollback command'));
    expect(device.status.release).toBe('r1');
    expect(
      log.some((l) => l.startsWith('command ignored: invalid command "{\\"type\\":\\"reboot\\"}"')),
    ).toBe(true);
    // The state says so at once.
    await until('the state naming r1', () => link().states.some((s) => s['release'] === 'r1'));
    await device.stop();
  });

  it('reports each command in its state: a rollback with no previous model fails, one with it is done', async () => {
    const { device, deviceId, link } = await makeDevice({ flushTimeoutMs: 0 });
    await device.start();
    link().up();
    link().deliver(TOPICS.command(deviceId), '{"type":"rollback","id":"c-1"}');
    await until('the first reported', () => device.status.lastCommand?.id === 'c-1');
    expect(device.status).toMatchObject({
      release: 'r1',
      commands: 1,
      lastCommand: { type: 'rollback', outcome: 'failed' },
    });
    await device.models.provision('r2', Uint8Array.of(2));
    link().deliver(TOPICS.command(deviceId), '{"type":"rollback","id":"c-2"}');
    await until('the second reported', () => device.status.lastCommand?.id === 'c-2');
    expect(device.status).toMatchObject({
      release: 'r1',
      commands: 2,
      lastCommand: { type: 'rollback', outcome: 'done', detail: 'r2 → r1' },
    });
    await until('the state naming c-2', () =>
      link().states.some((s) => (s['lastCommand'] as { id?: string } | undefined)?.id === 'c-2'),
    );
    await device.stop();
  });

  it('follows another channel on assign-channel: subscribes to it, leaves the old one, installs its release', async () => {
    const { device, deviceId, log, models, link } = await makeDevice({ flushTimeoutMs: 0 });
    await device.start();
    link().up();
    expect(link().subscribed).toEqual(new Set([TOPICS.release('stable'), TOPICS.command(deviceId)]));
    const bytes = Uint8Array.of(7, 7);
    const canary = await manifestFor('r7', bytes);
    models.set(canary.onnx.url!, bytes);
    // Not followed yet: a canary manifest does not reach the device.
    link().deliver(TOPICS.release('canary'), JSON.stringify(canary));
    link().deliver(TOPICS.command(deviceId), '{"type":"assign-channel","channel":"canary","id":"c-3"}');
    await until('the channel reported', () => device.status.lastCommand?.id === 'c-3');
    expect(device.status).toMatchObject({
      channel: 'canary',
      release: 'r1',
      lastCommand: { type: 'assign-channel', outcome: 'done', detail: 'stable → canary' },
    });
    expect(link().subscribed).toEqual(new Set([TOPICS.release('canary'), TOPICS.command(deviceId)]));
    link().deliver(TOPICS.release('canary'), JSON.stringify(canary));
    await until('r7 installed', () => log.includes('model r7 installed (previous r1)'));
    expect(device.status.release).toBe('r7');
    // The new channel is what the next connection subscribes to.
    link().down();
    link().up();
    expect(link().subscribed).toEqual(new Set([TOPICS.release('canary'), TOPICS.command(deviceId)]));
    await until('the state naming canary', () => link().states.some((s) => s['channel'] === 'canary'));
    await device.stop();
  });

  it('stays on its channel when the broker refuses the new one', async () => {
    const { device, deviceId, link } = await makeDevice({ flushTimeoutMs: 0 });
    await device.start();
    link().up();
    link().refuse.add(TOPICS.release('beta'));
    link().deliver(TOPICS.command(deviceId), '{"type":"assign-channel","channel":"beta"}');
    await until('the refusal reported', () => device.status.lastCommand !== undefined);
    expect(device.status).toMatchObject({
      channel: 'stable',
      lastCommand: { type: 'assign-channel', outcome: 'failed' },
    });
    expect(link().subscribed.has(TOPICS.release('stable'))).toBe(true);
    await device.stop();
  });

  it('on resend, sends what it still holds from that seq and reports the acknowledged ones as gone', async () => {
    const { device, deviceId, log, link } = await makeDevice({ source: source(5), flushTimeoutMs: 0 });
    await device.start();
    await until('5 windows encoded', () => device.status.encoded === 5);
    link().up();
    await until('5 publishes', () => link().embeddings.length === 5);
    link().ack(3);
    await until('3 acknowledged', () => device.status.sent === 3);
    link().deliver(TOPICS.command(deviceId), '{"type":"resend","fromSeq":1,"id":"c-4"}');
    await until('the resend reported', () => device.status.lastCommand?.id === 'c-4');
    // Seqs 1 and 2 were acknowledged and deleted; 3 and 4 are still held (in flight) and go out.
    expect(device.status.lastCommand).toMatchObject({ type: 'resend', outcome: 'done', held: 2, gone: 2 });
    expect(log).toContain('resend from seq 1: 2 still held and sent, 2 acknowledged or dropped before');
    link().ack();
    await until('5 acknowledged', () => device.status.sent === 5);
    expect(device.status.queued).toBe(0);
    await device.stop();
  });

  it('logs, counts and survives payloads that are no command', async () => {
    const { device, deviceId, log, link } = await makeDevice({ flushTimeoutMs: 0 });
    await device.start();
    link().up();
    for (const payload of [
      '',
      'reboot',
      '{"type":"resend","fromSeq":-1}',
      '{"type":"assign-channel","channel":"a/#"}',
      '[]',
    ])
      link().deliver(TOPICS.command(deviceId), payload);
    link().setup.onMessage(TOPICS.command(deviceId), Uint8Array.of(0xff, 0xfe, 0x00));
    await until('6 refused', () => device.status.commandsRefused === 6);
    expect(device.status).toMatchObject({
      commands: 0,
      channel: 'stable',
      lastCommand: { outcome: 'refused' },
    });
    expect(log.filter((l) => l.startsWith('command ignored: invalid command'))).toHaveLength(6);
    // Still obeying.
    link().deliver(TOPICS.command(deviceId), '{"type":"assign-channel","channel":"canary"}');
    await until('the channel changed', () => device.status.channel === 'canary');
    await device.stop();
  });

  it('goes back to the previous model when the one in use fails at run time, and keeps the window', async () => {
    const { device, link } = await makeDevice({ flushTimeoutMs: 0 });
    await device.start();
    await device.models.provision('r9', Uint8Array.of(9, 0xff));
    await device.read(source(2));
    await until('2 windows', () => device.status.encoded === 2);
    expect(device.status.release).toBe('r1');
    link().up();
    await until('2 publishes', () => link().embeddings.length === 2);
    for (const p of link().embeddings) {
      const message = decodeEmbeddingMessage(p.payload as Uint8Array);
      expect(message.release).toBe('r1');
      expect(message.h[0]).toBe(1);
    }
    link().ack();
    await device.stop();
  });

  it('installs a signed release from the channel manifest, refuses a stranger-signed one, and keeps to it', async () => {
    const { device, log, models, link } = await makeDevice({ flushTimeoutMs: 0 });
    await device.start();
    link().up();
    const bytes = Uint8Array.of(5, 1, 2, 3);
    const good = await manifestFor('r5', bytes);
    models.set(good.onnx.url!, bytes);
    const forged = await manifestFor('r6', Uint8Array.of(6), stranger.privateKey);
    models.set(forged.onnx.url!, Uint8Array.of(6));
    link().setup.onMessage(TOPICS.release('stable'), new TextEncoder().encode(JSON.stringify(forged)));
    link().setup.onMessage(TOPICS.release('stable'), new TextEncoder().encode(JSON.stringify(good)));
    await until('r5 installed', () => log.includes('model r5 installed (previous r1)'));
    expect(log.some((l) => l.startsWith('model r6 refused [signature]'))).toBe(true);
    expect(device.status).toMatchObject({ release: 'r5', previousRelease: 'r1' });
    await device.read(source(1));
    await until('a window of r5', () => link().embeddings.length === 1);
    const message = decodeEmbeddingMessage(link().embeddings[0]!.payload as Uint8Array);
    expect(message).toMatchObject({ release: 'r5', seq: 0 });
    expect(message.h[0]).toBe(5);
    link().ack();
    await device.stop();
  });

  it('reports a refusal of its credentials through connected()', async () => {
    const { device, deviceId, link } = await makeDevice({ flushTimeoutMs: 0 });
    await device.start();
    link().setup.onError(new CredentialsRefusedError(deviceId, 'Connection refused: Not authorized'));
    await expect(device.connected()).rejects.toThrow(/refused device "dev-\d+".*secret/);
    await device.stop();
    expect(link().ended).toBe(true);
  });
});
