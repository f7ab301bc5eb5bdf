/**
 * Training jobs over the HTTP API with real parts: PGlite, the embedded aedes broker, the real ingest,
 * TF.js training in worker threads. A tiny pretrain job is followed over Server-Sent Events to its
 * release; a long one is cancelled; an align job trains on embeddings stored through the ingest and
 * records linked by study or by patient and time; roles, bodies and the Idempotency-Key are checked.
 * (Jobs across instances and restarts: apps/cloud/src/jobs/job-manager.test.ts.)
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDevice, type Cloud, createToken, listReleases, startCloud } from '@heartline/cloud';
import { encodeEmbeddingMessage } from '@heartline/contract';
import { alignPairsFromExamples, readReleaseDir, syntheticExamples } from '@heartline/trainer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface SseEvent {
  readonly event: string;
  readonly data: Record<string, unknown>;
}

let cloud: Cloud;
let operator: string;
let viewer: string;
let pretrainRelease: string;

function call(
  path: string,
  init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...init.headers };
  if (init.token) headers['authorization'] = `Bearer ${init.token}`;
  return Promise.resolve(
    cloud.api.request(`/api/v1${path}`, {
      method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'),
      headers,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    }),
  );
}

/** Reads a job's event stream (token in the query, as EventSource sends it) to its final event. */
async function followJob(id: string, token: string): Promise<SseEvent[]> {
  const res = await cloud.api.request(`/api/v1/jobs/${id}/events?token=${token}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: SseEvent[] = [];
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
      end = buffer.indexOf('\n\n');
    }
  }
  return events;
}

async function startJob(body: Record<string, unknown>, headers?: Record<string, string>): Promise<string> {
  const res = await call('/jobs', { body, token: operator, ...(headers ? { headers } : {}) });
  const json = (await res.json()) as { id: string };
  expect(res.status, JSON.stringify(json)).toBe(202);
  return json.id;
}

/** A job as GET /jobs/{id} shows it. */
async function job(id: string): Promise<Record<string, unknown>> {
  return (await (await call(`/jobs/${id}`, { token: viewer })).json()) as Record<string, unknown>;
}

async function releaseIds(): Promise<string[]> {
  const body = (await (await call('/releases', { token: viewer })).json()) as {
    releases: { id: string; live: boolean }[];
  };
  return body.releases.filter((r) => r.live).map((r) => r.id);
}

beforeAll(async () => {
  cloud = await startCloud({ mqttPort: 0, flushMs: 5, log: () => undefined });
  operator = await createToken(cloud.db, 'operator');
  viewer = await createToken(cloud.db, 'viewer');
});

afterAll(async () => {
  await cloud?.close();
});

describe('training jobs API', () => {
  it('lets only operators start jobs and rejects bad bodies', async () => {
    expect((await call('/jobs', { body: { kind: 'pretrain' } })).status).toBe(401);
    const forbidden = await call('/jobs', { body: { kind: 'pretrain', preset: 'tiny' }, token: viewer });
    expect(forbidden.status).toBe(403);
    for (const body of [
      { kind: 'finetune' },
      { kind: 'pretrain', steps: 0 },
      { kind: 'pretrain', steps: 2.5 },
      { kind: 'pretrain', preset: 'huge' },
      { kind: 'pretrain', extra: true },
      { kind: 'pretrain', parent: 'r1' },
      { kind: 'align', dataDir: tmpdir() },
    ]) {
      const res = await call('/jobs', { body, token: operator });
      const json = (await res.json()) as { error: { code: string; message: string } };
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(json.error.message.length).toBeGreaterThan(0);
    }
    // A server-side folder outside the import roots (none here) or missing: one 403 for both.
    const folder = await call('/jobs', {
      body: { kind: 'pretrain', dataDir: join(tmpdir(), 'no-such-heartline-folder') },
      token: operator,
    });
    expect(folder.status).toBe(403);
    for (const key of ['', 'x'.repeat(256), 'two words', 'quote"inside']) {
      const res = await call('/jobs', {
        body: { kind: 'pretrain', preset: 'tiny' },
        token: operator,
        headers: { 'idempotency-key': key },
      });
      expect(res.status, key).toBe(400);
    }
    const noRelease = await call('/jobs', { body: { kind: 'align' }, token: operator });
    expect(noRelease.status).toBe(409);
    expect((await call('/jobs/job-unknown', { token: viewer })).status).toBe(404);
    expect(
      (await cloud.api.request('/api/v1/jobs/job-unknown/events?token=nope-nope-nope-nope')).status,
    ).toBe(401);
    expect((await call('/jobs', { token: viewer })).status).toBe(200);
    expect((await call('/jobs')).status).toBe(401);
  });

  it('runs a tiny pretrain job, streams its progress and registers its release live', async () => {
    const before = await releaseIds();
    const body = { kind: 'pretrain', preset: 'tiny', steps: 6 };
    const key = { 'idempotency-key': '"0b6d5f8e-tiny-pretrain"' };
    const id = await startJob(body, key);
    // A retried POST (its answer was lost) gets the same job; the key with another body is refused.
    expect(await startJob(body, key)).toBe(id);
    const reused = await call('/jobs', { body: { ...body, steps: 7 }, token: operator, headers: key });
    expect(reused.status).toBe(409);
    const events = await followJob(id, viewer);
    const names = events.map((e) => e.event);
    expect(names.at(-1), JSON.stringify(events.at(-1))).toBe('done');
    expect(names).toContain('log');
    const training = events.filter((e) => e.event === 'progress' && e.data['stage'] === 'training');
    expect(training.at(-1)?.data).toMatchObject({ done: 6, total: 6 });
    const epochs = events.filter((e) => e.event === 'epoch');
    expect(epochs.length).toBeGreaterThan(0);
    expect(epochs.at(-1)?.data['step']).toBe(6);
    pretrainRelease = events.at(-1)!.data['release'] as string;
    expect(before).not.toContain(pretrainRelease);
    expect(await releaseIds()).toContain(pretrainRelease);
    const job = (await (await call(`/jobs/${id}`, { token: viewer })).json()) as Record<string, unknown>;
    expect(job).toMatchObject({
      id,
      kind: 'pretrain',
      status: 'succeeded',
      release: pretrainRelease,
      error: null,
    });
    // A finished job's stream replays its history, ending with the same final event.
    const replay = await followJob(id, viewer);
    expect(replay.at(-1)).toEqual(events.at(-1));
    const list = (await (await call('/jobs', { token: viewer })).json()) as { jobs: { id: string }[] };
    expect(list.jobs.map((j) => j.id)).toContain(id);
  });

  it('cancels a running job: status cancelled, no release', async () => {
    const before = await releaseIds();
    const id = await startJob({ kind: 'pretrain', preset: 'tiny', steps: 5000 });
    await expect
      .poll(async () => ((await job(id))['progress'] as { stage?: string } | null)?.stage, {
        timeout: 60_000,
        interval: 100,
      })
      .toBe('training');
    const res = await call(`/jobs/${id}`, { method: 'DELETE', token: operator });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id, status: 'cancelled' });
    const events = await followJob(id, viewer);
    expect(events.at(-1)?.event).toBe('cancelled');
    expect(await releaseIds()).toEqual(before);
    const again = await call(`/jobs/${id}`, { method: 'DELETE', token: operator });
    expect(again.status).toBe(409);
  });

  it('aligns on stored embeddings and linked records, producing a release with its parent', async () => {
    expect(pretrainRelease).toBeDefined();
    const parentRow = (await listReleases(cloud.db)).find((r) => r.id === pretrainRelease)!;
    // Too few linked pairs yet: refused with a clear conflict.
    const early = await call('/jobs', { body: { kind: 'align', parent: pretrainRelease }, token: operator });
    expect(early.status).toBe(409);
    expect(((await early.json()) as { error: { message: string } }).error.message).toMatch(/at least \d+/);

    // Device embeddings made with the parent's ECG encoder, through the real ingest; records linked by
    // study (a device names its study; it cannot choose the patient, so patient links come from records).
    const pairs = await alignPairsFromExamples(parentRow.dir, syntheticExamples({ n: 40, seed: 9 }));
    await addDevice(cloud.db, 'cart-align');
    const t0 = Date.UTC(2026, 0, 5, 8);
    for (const [i, pair] of pairs.entries()) {
      await cloud.ingest.handle(
        'hl/v1/dev/cart-align/emb',
        encodeEmbeddingMessage({
          v: 1,
          deviceId: 'cart-align',
          seq: i,
          t0: t0 + i * 60_000,
          release: pretrainRelease,
          leadMask: 0xfff,
          quality: 1,
          studyId: `study-${i}`,
          h: pair.h,
        }),
      );
      const record = await call('/records', {
        token: operator,
        body: {
          id: `rec-${i}`,
          text: pair.report,
          codes: [...(pair.codes ?? [])],
          studyId: `study-${i}`,
          patientId: `patient-${i}`,
        },
      });
      expect(record.status, await record.text()).toBeLessThan(300);
    }
    const id = await startJob({ kind: 'align', parent: pretrainRelease, steps: 8 });
    const events = await followJob(id, viewer);
    expect(events.at(-1)?.event, JSON.stringify(events.at(-1))).toBe('done');
    const log = events.filter((e) => e.event === 'log').map((e) => e.data['line'] as string);
    expect(log.join('\n')).toContain(`align: ${pairs.length} stored embeddings`);
    const release = events.at(-1)!.data['release'] as string;
    expect(await releaseIds()).toContain(release);
    const row = (await listReleases(cloud.db)).find((r) => r.id === release)!;
    const child = await readReleaseDir(row.dir);
    expect(child.manifest.mode).toBe('align');
    expect(child.manifest.parent).toBe(pretrainRelease);
    const parent = await readReleaseDir(parentRow.dir);
    const ecgNames = Object.keys(parent.weights).filter((n) => n.startsWith('ecg/'));
    expect(ecgNames.length).toBeGreaterThan(0);
    for (const name of ecgNames) expect(child.weights[name]!.values).toEqual(parent.weights[name]!.values);
  });
});
