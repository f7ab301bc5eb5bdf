/**
 * A cloud's operator surface, against an in-memory cloud with its embedded broker and a device sending
 * over MQTT: `/metrics` read with a Prometheus text parser this project did not write, `/ready`, and the
 * JSON log lines of the default logger.
 */
import { EMBEDDING_MESSAGE_VERSION, encodeEmbeddingMessage } from '@heartline/contract';
import mqtt from 'mqtt';
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cloud, startCloud } from '../cloud.js';
import type { ReleaseModel } from '../releases/release-models.js';
import { addDevice } from '../storage/devices.js';
import { registerRelease } from '../storage/releases.js';
import { createToken } from '../storage/tokens.js';
import { createCloudLogger } from './cloud-logger.js';

const DIM = 4;
const RELEASE = 'r-metrics';
const INSTANCE = 'metrics-test-1';
const SENT = 12;

const standIn: ReleaseModel = {
  id: RELEASE,
  ecgDim: DIM,
  sharedDim: DIM,
  projectEcg: (_h, n) => new Float32Array(n * DIM).fill(0.5),
  encodeText: (texts) => new Float32Array(texts.length * DIM).fill(0.5),
};

let cloud: Cloud;
let viewer: string;
let device: mqtt.MqttClient;
const logLines: string[] = [];

beforeAll(async () => {
  cloud = await startCloud({
    mqttPort: 0,
    instanceId: INSTANCE,
    loadRelease: async () => standIn,
    logger: createCloudLogger({ write: (chunk) => logLines.push(chunk) }),
  });
  await registerRelease(cloud.db, {
    id: RELEASE,
    ecgDim: DIM,
    sharedDim: DIM,
    dir: '/stand-in',
    manifest: {},
  });
  await cloud.releases.refresh();
  viewer = await createToken(cloud.db, 'viewer');
  const secret = await addDevice(cloud.db, 'dev-m1');
  device = await mqtt.connectAsync(`mqtt://127.0.0.1:${cloud.mqttPort}`, {
    clientId: 'hl-dev-dev-m1',
    username: 'dev-m1',
    password: secret,
    reconnectPeriod: 0,
    protocolVersion: 4,
  });
}, 120_000);

afterAll(async () => {
  await device?.endAsync();
  await cloud?.close();
}, 60_000);

/** Scrapes `/api/v1/metrics` as Prometheus would: the text. */
async function scrapeText(): Promise<string> {
  const res = await cloud.api.request('/api/v1/metrics', { headers: { authorization: `Bearer ${viewer}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** Scrapes and parses; the families by name. */
async function scrape(): Promise<Map<string, ParsedFamily>> {
  return new Map(parsePrometheusTextFormat(await scrapeText()).map((f) => [f.name, f]));
}

/**
 * A histogram's observations: its `+Inf` bucket. (This parser folds a labelled histogram's series into
 * its buckets and drops `_count` and `_sum`; the `+Inf` bucket counts every observation.)
 */
function observations(families: Map<string, ParsedFamily>, name: string): number {
  const family = families.get(name);
  expect(family?.type).toBe('HISTOGRAM');
  return Number(family?.metrics[0]?.buckets?.['+Inf']);
}

/** The value of the one sample of `name` whose labels include `labels`. */
function value(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string> = {}) {
  const samples = (families.get(name)?.metrics ?? []).filter((s) =>
    Object.entries(labels).every(([k, v]) => s.labels?.[k] === v),
  );
  expect(samples, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
  return samples[0]!;
}

const publish = (payload: Uint8Array) =>
  device.publishAsync('hl/v1/dev/dev-m1/emb', Buffer.from(payload), { qos: 1 });

describe('GET /api/v1/metrics', () => {
  it('asks for a viewer token, as /stats does', async () => {
    expect((await cloud.api.request('/api/v1/metrics')).status).toBe(401);
  });

  it('counts what the ingest stored and refused after real MQTT traffic, with its latencies', async () => {
    const before = await scrape();
    expect(Number(value(before, 'heartline_embeddings_stored_total').value)).toBe(0);
    // QoS 1: each publish resolves on its PUBACK, which the broker sends once the row is stored.
    for (let seq = 0; seq < SENT; seq++) {
      await publish(
        encodeEmbeddingMessage({
          v: EMBEDDING_MESSAGE_VERSION,
          deviceId: 'dev-m1',
          seq,
          t0: 1_764_000_000_000 + seq * 10_000,
          release: RELEASE,
          leadMask: 0xfff,
          quality: 0.9,
          h: Float32Array.from({ length: DIM }, (_, i) => i + seq + 1),
        }),
      );
    }
    await publish(new Uint8Array([0xff, 0x00, 0x13]));

    const after = await scrape();
    expect(Number(value(after, 'heartline_embeddings_stored_total').value)).toBe(SENT);
    expect(Number(value(after, 'heartline_ingest_rejections_total', { reason: 'malformed' }).value)).toBe(1);
    // Every message was answered (the refused one too); only the stored ones waited in the queue.
    expect(observations(after, 'heartline_ingest_ack_latency_seconds')).toBe(SENT + 1);
    expect(observations(after, 'heartline_ingest_store_latency_seconds')).toBe(SENT);
    expect(Number(value(after, 'heartline_ingest_waiting').value)).toBe(0);
  });

  it('reports the broker, the vector index, jobs and channels, read when scraped', async () => {
    await cloud.db.query(
      `INSERT INTO jobs (id, kind, status, spec) VALUES ('j-done', 'pretrain', 'succeeded', '{}'),
       ('j-bad', 'align', 'failed', '{}')`,
    );
    await cloud.db.query(
      `INSERT INTO rollouts (channel, release, manifest, action) VALUES ('canary', $1, '{}', 'rollout')`,
      [RELEASE],
    );
    await cloud.db.query(
      `INSERT INTO channel_events (channel, action, release, reason) VALUES ('canary', 'rollout', $1, 'operator')`,
      [RELEASE],
    );
    await cloud.ecgIndex!.follow();
    const families = await scrape();
    expect(Number(value(families, 'heartline_broker_connections').value)).toBe(1);
    expect(Number(value(families, 'heartline_broker_connected', { broker: 'embedded' }).value)).toBe(1);
    expect(Number(value(families, 'heartline_vector_index_lag_rows').value)).toBe(0);
    expect(Number(value(families, 'heartline_vector_index_usable').value)).toBe(1);
    const jobs = Object.fromEntries(
      families.get('heartline_jobs')!.metrics.map((s) => [s.labels?.['status'], Number(s.value)]),
    );
    expect(jobs).toEqual({ queued: 0, running: 0, succeeded: 1, failed: 1, cancelled: 0 });
    const channel = value(families, 'heartline_channel_release', { channel: 'canary' });
    expect(channel.labels).toMatchObject({ release: RELEASE, last_action: 'rollout' });
    expect(Number(channel.value)).toBe(1);
    const since = Number(
      value(families, 'heartline_channel_release_since_seconds', { channel: 'canary' }).value,
    );
    expect(Math.abs(since - Date.now() / 1000)).toBeLessThan(600);
  });

  it('labels every series with the instance, the Node process metrics included', async () => {
    const text = await scrapeText();
    const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
    expect(families.has('process_cpu_user_seconds_total')).toBe(true);
    expect(families.has('nodejs_heap_size_used_bytes')).toBe(true);
    // On the text itself: the parser folds histogram series into buckets without their labels.
    const series = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(series.length).toBeGreaterThan(50);
    expect(series.filter((line) => !line.includes(`instance="${INSTANCE}"`))).toEqual([]);
  });
});

describe('GET /api/v1/ready', () => {
  it('is open and answers 200 with every check true once the cloud has started', async () => {
    const res = await cloud.api.request('/api/v1/ready');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ready: true,
      checks: { database: true, broker: true, vectorIndex: true },
      waitingFor: [],
    });
  });

  it('answers 503 naming the check not yet true', async () => {
    const index = cloud.ecgIndex!;
    index.ready = false;
    try {
      const res = await cloud.api.request('/api/v1/ready');
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ ready: false, waitingFor: ['vectorIndex'] });
    } finally {
      index.ready = true;
    }
    const { rows } = await cloud.db.query<{ version: number; name: string }>(
      'DELETE FROM schema_migrations WHERE version = 1 RETURNING version, name',
    );
    try {
      const res = await cloud.api.request('/api/v1/ready');
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ checks: { database: false }, waitingFor: ['database'] });
    } finally {
      await cloud.db.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        rows[0]!.version,
        rows[0]!.name,
      ]);
    }
    // /health stays liveness: the process and its database answer.
    expect((await cloud.api.request('/api/v1/health')).status).toBe(200);
  });
});

describe('the default log', () => {
  it('writes JSON lines, each with the instance, a level and a message', () => {
    expect(logLines.length).toBeGreaterThan(0);
    const records = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const record of records) {
      expect(record).toMatchObject({
        instance: INSTANCE,
        level: expect.any(String),
        msg: expect.any(String),
      });
    }
    // The refused message of the ingest test above, as a warning of the ingest.
    expect(records).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        component: 'ingest',
        msg: expect.stringMatching(/^rejected \(malformed\)/),
      }),
    );
  });
});
