/**
 * The ingest with real parts: the cloud with its embedded aedes broker and PGlite, a tiny trained
 * release, and mqtt.js clients playing devices. Valid messages (and their redeliveries) are stored once
 * with the release's shared projection; hostile payloads are each rejected with a counted reason; foreign
 * credentials and topics are refused; the service stays up throughout.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDevice, type Cloud, countEmbeddings, createToken, startCloud } from '@heartline/cloud';
import { type EmbeddingMessage, encodeEmbeddingMessage } from '@heartline/contract';
import { loadRelease, selectBackend } from '@heartline/trainer';
import { Encoder, Tag } from 'cbor-x';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHeartline } from './support/run-heartline.js';

let work: string;
let releaseDir: string;
let cloud: Cloud;
let releaseId: string;
let ecgDim: number;
const secrets: Record<string, string> = {};
const logs: string[] = [];
const cbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });

function url(): string {
  return `mqtt://127.0.0.1:${cloud.mqttPort}`;
}

function connectDevice(id: string, password = secrets[id]): Promise<MqttClient> {
  return mqtt.connectAsync(url(), {
    clientId: `hl-dev-${id}`,
    ...(id ? { username: id } : {}),
    ...(password !== undefined ? { password } : {}),
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
}

function message(deviceId: string, seq: number, overrides: Partial<EmbeddingMessage> = {}): EmbeddingMessage {
  const h = new Float32Array(ecgDim);
  for (let i = 0; i < ecgDim; i++) h[i] = Math.sin(seq * 7 + i);
  return {
    v: 1,
    deviceId,
    seq,
    t0: 1_764_000_000_000 + seq * 10_000,
    release: releaseId,
    leadMask: 0xfff,
    quality: 0.9,
    patientId: 'p-1',
    h,
    ...overrides,
  };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hl-cloud-ingest-'));
  releaseDir = join(work, 'release');
  const trained = await runHeartline(['train', '--out', releaseDir, '--preset', 'tiny']);
  expect(trained.code, trained.stderr).toBe(0);
  cloud = await startCloud({
    dataDir: join(work, 'data'),
    mqttPort: 0,
    releaseDirs: [releaseDir],
    flushMs: 5,
    log: (line) => logs.push(line),
  });
  const [release] = await cloud.releases.live();
  releaseId = release!.id;
  ecgDim = release!.ecgDim;
  secrets['dev-a'] = await addDevice(cloud.db, 'dev-a');
  secrets['dev-b'] = await addDevice(cloud.db, 'dev-b');
});

afterAll(async () => {
  await cloud?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('cloud ingest over the embedded broker', () => {
  it('stores valid messages once, redeliveries included, with the release shared projection', async () => {
    const a = await connectDevice('dev-a');
    const b = await connectDevice('dev-b');
    for (let seq = 0; seq < 10; seq++) {
      await a.publishAsync(
        'hl/v1/dev/dev-a/emb',
        Buffer.from(encodeEmbeddingMessage(message('dev-a', seq))),
        { qos: 1 },
      );
    }
    for (let seq = 0; seq < 5; seq++) {
      await b.publishAsync(
        'hl/v1/dev/dev-b/emb',
        Buffer.from(encodeEmbeddingMessage(message('dev-b', seq), 'f16')),
        { qos: 1 },
      );
    }
    // A device replaying its queue after a reconnect: the same (device, seq) again, flagged dup.
    for (let seq = 0; seq < 10; seq++) {
      await a.publishAsync(
        'hl/v1/dev/dev-a/emb',
        Buffer.from(encodeEmbeddingMessage(message('dev-a', seq))),
        {
          qos: 1,
          dup: true,
        },
      );
    }
    await expect
      .poll(() => cloud.ingest.stats().received, { timeout: 10_000, interval: 20, message: '25 messages' })
      .toBeGreaterThanOrEqual(25);
    await cloud.ingest.flush();
    expect(await countEmbeddings(cloud.db, 'dev-a')).toBe(10);
    expect(await countEmbeddings(cloud.db, 'dev-b')).toBe(5);
    expect(cloud.ingest.stats().duplicates).toBe(10);

    // z must be the release's shared encoder applied to h: recompute it from the release files.
    await selectBackend();
    const { model } = await loadRelease(releaseDir);
    const tf = await import('@tensorflow/tfjs-core');
    const h = message('dev-a', 3).h;
    const expected = tf.tidy(() => model.sharedFromEcg(tf.tensor2d(h, [1, ecgDim])).dataSync());
    model.dispose();
    const { rows } = await cloud.db.query<{ z: string; patient_id: string }>(
      `SELECT z::text AS z, patient_id FROM embeddings WHERE device_id = 'dev-a' AND seq = 3`,
    );
    const z = JSON.parse(rows[0]!.z) as number[];
    expect(z).toHaveLength(expected.length);
    for (const [i, v] of z.entries()) expect(v).toBeCloseTo(expected[i]!, 5);
    expect(Math.hypot(...z)).toBeCloseTo(1, 4);
    // The device named patient p-1, but a device never chooses the patient (see the test below).
    expect(rows[0]!.patient_id).toBeNull();
    await a.endAsync();
    await b.endAsync();
  });

  it('rejects hostile payloads with a counted reason, stores none of them, and stays up', async () => {
    const good = message('dev-a', 1000);
    const raw = (fields: Record<string, unknown>) =>
      cbor.encode({ ...good, h: new Tag(new Uint8Array(good.h.buffer.slice(0)), 85), ...fields });
    const f32 = (values: number[]) => new Tag(new Uint8Array(new Float32Array(values).buffer), 85);
    const cases: [string, string, Uint8Array][] = [
      ['empty payload', 'malformed', new Uint8Array(0)],
      ['invalid CBOR bytes 0xff 0xff', 'malformed', new Uint8Array([0xff, 0xff])],
      ['a CBOR array', 'malformed', cbor.encode([1, 2, 3])],
      ['a CBOR text string', 'malformed', cbor.encode('hello')],
      ['a CBOR null', 'malformed', cbor.encode(null)],
      ['version 2', 'version', raw({ v: 2 })],
      ['no version field', 'version', raw({ v: undefined })],
      ['seq = -1', 'invalid', raw({ seq: -1 })],
      ['seq as the string "7"', 'invalid', raw({ seq: '7' })],
      ['seq = 1.5', 'invalid', raw({ seq: 1.5 })],
      ['seq beyond 2^53', 'invalid', raw({ seq: 2 ** 60 })],
      ['t0 = NaN', 'invalid', raw({ t0: Number.NaN })],
      ['quality = 2', 'invalid', raw({ quality: 2 })],
      ['leadMask = 0x1fff', 'invalid', raw({ leadMask: 0x1fff })],
      [
        'h holding NaN',
        'invalid',
        raw({ h: f32(Array.from({ length: ecgDim }, (_, i) => (i === 3 ? Number.NaN : 0.1))) }),
      ],
      [
        'h holding Infinity',
        'invalid',
        raw({ h: f32(Array.from({ length: ecgDim }, () => Number.POSITIVE_INFINITY)) }),
      ],
      ['h as a plain number array', 'invalid', raw({ h: Array.from({ length: ecgDim }, () => 0.1) })],
      ['h empty', 'invalid', raw({ h: f32([]) })],
      ['SQL in deviceId', 'invalid', raw({ deviceId: "dev-a'; DROP TABLE embeddings; --" })],
      ['SQL in patientId', 'invalid', raw({ patientId: "x' OR '1'='1" })],
      ['SQL in release', 'invalid', raw({ release: "r'); DELETE FROM releases; --" })],
      ['a 10 kB deviceId', 'too-large', raw({ deviceId: 'd'.repeat(10_000) })],
      ['9 kB of padding', 'too-large', raw({ padding: new Uint8Array(9000) })],
      ['an unknown release', 'unknown-release', raw({ release: 'r-unknown' })],
      ['h one value too long', 'dimension', raw({ h: f32(Array.from({ length: ecgDim + 1 }, () => 0.1)) })],
      ['dev-b in the payload on dev-a topic', 'device-mismatch', raw({ deviceId: 'dev-b' })],
      ['t0 a year ahead', 'bad-time', raw({ t0: Date.now() + 365 * 86_400_000 })],
    ];
    const before = cloud.ingest.stats();
    const storedBefore = await countEmbeddings(cloud.db);
    const a = await connectDevice('dev-a');
    for (const [, , payload] of cases) {
      await a.publishAsync('hl/v1/dev/dev-a/emb', Buffer.from(payload), { qos: 1 });
    }
    // An unknown device id, delivered through the broker by the cloud's privileged client.
    await cloud.bus.publish('hl/v1/dev/ghost/emb', encodeEmbeddingMessage(message('ghost', 1)));
    // Positive evidence that every hostile payload reached the ingest before the checks below.
    await expect
      .poll(() => cloud.ingest.stats().received, {
        timeout: 10_000,
        interval: 20,
        message: 'hostile payloads',
      })
      .toBe(before.received + cases.length + 1);
    await cloud.ingest.flush();

    const expected: Record<string, number> = { 'unknown-device': 1 };
    for (const [, reason] of cases) expected[reason] = (expected[reason] ?? 0) + 1;
    const after = cloud.ingest.stats().rejected;
    for (const [reason, n] of Object.entries(expected)) {
      expect(after[reason] ?? 0, reason).toBe((before.rejected[reason] ?? 0) + n);
    }
    expect(await countEmbeddings(cloud.db)).toBe(storedBefore);
    // Rejections are logged one per message and counted in the database too.
    expect(logs.filter((l) => l.includes('rejected (device-mismatch)')).length).toBeGreaterThanOrEqual(1);
    const { rows } = await cloud.db.query<{ count: number }>(
      `SELECT count::int AS count FROM ingest_rejections WHERE reason = 'invalid'`,
    );
    expect(rows[0]?.count).toBe(expected['invalid']);
    // The tables the SQL-looking strings aimed at are intact, and the service still stores good data.
    expect((await cloud.releases.live()).length).toBe(1);
    await a.publishAsync('hl/v1/dev/dev-a/emb', Buffer.from(encodeEmbeddingMessage(good)), { qos: 1 });
    await expect
      .poll(() => countEmbeddings(cloud.db), { timeout: 10_000, interval: 20, message: 'the good message' })
      .toBe(storedBefore + 1);
    const health = await cloud.api.request('/api/v1/health');
    expect(health.status).toBe(200);
    await a.endAsync();
  });

  it('refuses a client without credentials and one with a wrong secret', async () => {
    await expect(connectDevice('', undefined)).rejects.toThrow();
    await expect(connectDevice('dev-a', 'not-the-secret')).rejects.toThrow();
    await expect(connectDevice('nobody', 'x')).rejects.toThrow();
    // Right secret but another device's client id: no session takeover.
    await expect(
      mqtt.connectAsync(url(), {
        clientId: 'hl-dev-dev-b',
        username: 'dev-a',
        password: secrets['dev-a']!,
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow();
    expect(cloud.ingest.stats().rejected['auth-failed']).toBeGreaterThanOrEqual(4);
  });

  it('refuses a device publishing under another device topic and subscribing to foreign topics', async () => {
    const stored = await countEmbeddings(cloud.db, 'dev-b');
    const topicDenied = cloud.ingest.stats().rejected['topic-denied'] ?? 0;
    const a = await connectDevice('dev-a');
    // A refused filter comes back as SUBACK 0x80, which mqtt.js turns into a rejected promise.
    await expect(a.subscribeAsync('hl/v1/dev/+/emb', { qos: 1 })).rejects.toThrow();
    await expect(a.subscribeAsync('hl/v1/dev/dev-b/cmd', { qos: 1 })).rejects.toThrow();
    const granted = await a.subscribeAsync('hl/v1/dev/dev-a/cmd', { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1]);
    const closed = new Promise<void>((done) => a.once('close', () => done()));
    a.publish('hl/v1/dev/dev-b/emb', Buffer.from(encodeEmbeddingMessage(message('dev-b', 500))), { qos: 0 });
    await closed; // MQTT 3.1.1 has no negative PUBACK: the broker drops the connection.
    // Positive evidence: the broker counted this very refusal (before it dropped the connection).
    expect(cloud.ingest.stats().rejected['topic-denied']).toBe(topicDenied + 1);
    await cloud.ingest.flush();
    expect(await countEmbeddings(cloud.db, 'dev-b')).toBe(stored);
    expect(cloud.ingest.stats().rejected['subscribe-denied']).toBeGreaterThanOrEqual(2);
    a.end(true);
  });

  it('refuses a payload over the broker limit without reaching the ingest', async () => {
    const received = cloud.ingest.stats().received;
    const tooLarge = cloud.ingest.stats().rejected['too-large'] ?? 0;
    const a = await connectDevice('dev-a');
    const closed = new Promise<void>((done) => a.once('close', () => done()));
    a.publish('hl/v1/dev/dev-a/emb', Buffer.alloc(200_000, 1), { qos: 0 });
    await closed;
    expect(cloud.ingest.stats().received).toBe(received);
    expect(cloud.ingest.stats().rejected['too-large']).toBe(tooLarge + 1);
    a.end(true);
  });

  it('a device choosing another patient is not linked to them: the cloud decides the patient from the study', async () => {
    await cloud.db.query(
      `INSERT INTO clinical_records (id, patient_id, study_id, text, source) VALUES ('rec-s9', 'p-9', 's-9', 'sinus rhythm', 'json')`,
    );
    const a = await connectDevice('dev-a');
    // Claims patient p-victim and study s-9 (which the cloud's records give to p-9).
    await a.publishAsync(
      'hl/v1/dev/dev-a/emb',
      Buffer.from(encodeEmbeddingMessage(message('dev-a', 900, { patientId: 'p-victim', studyId: 's-9' }))),
      { qos: 1 },
    );
    // Claims a patient with no study: stored without a patient.
    await a.publishAsync(
      'hl/v1/dev/dev-a/emb',
      Buffer.from(encodeEmbeddingMessage(message('dev-a', 901, { patientId: 'p-victim' }))),
      { qos: 1 },
    );
    await a.endAsync();
    // PUBACK came after storage: both rows are there now.
    const { rows } = await cloud.db.query<{
      seq: number;
      patient_id: string | null;
      study_id: string | null;
    }>(
      `SELECT seq::int AS seq, patient_id, study_id FROM embeddings WHERE device_id = 'dev-a' AND seq IN (900, 901) ORDER BY seq`,
    );
    expect(rows).toEqual([
      { seq: 900, patient_id: 'p-9', study_id: 's-9' },
      { seq: 901, patient_id: null, study_id: null },
    ]);
  });

  it('acknowledged messages are never lost: PUBACK waits until the row is stored', async () => {
    // The finding: aedes acknowledged on arrival, so a device deleted from its outbox what a crash then
    // lost. Hold the database in a transaction: the message reaches the ingest, and no PUBACK comes.
    // (Connected first: authentication reads the database too.)
    const a = await connectDevice('dev-a');
    let release!: () => void;
    const held = new Promise<void>((done) => {
      release = done;
    });
    let locked!: () => void;
    const inside = new Promise<void>((done) => {
      locked = done;
    });
    const transaction = cloud.db.transaction(async () => {
      locked();
      await held;
    });
    await inside;
    const received = cloud.ingest.stats().received;
    let acknowledged = false;
    const publish = a
      .publishAsync('hl/v1/dev/dev-a/emb', Buffer.from(encodeEmbeddingMessage(message('dev-a', 950))), {
        qos: 1,
      })
      .then(() => {
        acknowledged = true;
      });
    try {
      // Positive evidence that the broker handed it on: the ingest received it (and waits to store it).
      await expect.poll(() => cloud.ingest.stats().received, { timeout: 10_000 }).toBe(received + 1);
      expect(acknowledged).toBe(false);
    } finally {
      release();
    }
    await transaction;
    await publish;
    expect(acknowledged).toBe(true);
    expect(await countEmbeddings(cloud.db, 'dev-a')).toBeGreaterThanOrEqual(1);
    const { rows } = await cloud.db.query(`SELECT 1 FROM embeddings WHERE device_id = 'dev-a' AND seq = 950`);
    expect(rows).toHaveLength(1);
    await a.endAsync();
  });

  it('keeps refused messages as dead letters an operator can read, raw payload included; a viewer cannot', async () => {
    const poisoned = encodeEmbeddingMessage(message('dev-b', 960, { quality: 1e-50 }));
    const b = await connectDevice('dev-b');
    // Acknowledged once refused for good (and counted); the dead letter is written with the next flush.
    await b.publishAsync('hl/v1/dev/dev-b/emb', Buffer.from(poisoned), { qos: 1 });
    await b.endAsync();
    await cloud.ingest.flush();
    const operator = await createToken(cloud.db, 'operator');
    const viewer = await createToken(cloud.db, 'viewer');
    const res = await cloud.api.request('/api/v1/ingest/dead-letters?deviceId=dev-b', {
      headers: { authorization: `Bearer ${operator}` },
    });
    expect(res.status).toBe(200);
    const { deadLetters } = (await res.json()) as {
      deadLetters: { reason: string; detail: string; payload: string; deviceId: string }[];
    };
    expect(deadLetters[0]).toMatchObject({ reason: 'invalid', deviceId: 'dev-b' });
    expect(deadLetters[0]!.detail).toMatch(/quality/);
    expect(Buffer.from(deadLetters[0]!.payload, 'base64').equals(Buffer.from(poisoned))).toBe(true);
    const refused = await cloud.api.request('/api/v1/ingest/dead-letters', {
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(refused.status).toBe(403);
  });
});
