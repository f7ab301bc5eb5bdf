/**
 * Raw ECGs of an imported PTB-XL-layout folder as cloud-held cases, and release details, with real parts:
 * a tiny trained release loaded with TF.js, PGlite, and a synthetic folder written twice under two names
 * (so every recording has an identical twin in another pseudo-device). The waveform endpoint must return
 * the file's physical values, a twin must be the nearest similar case, and the release details must carry
 * ROC curves and the training log.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addDevice,
  type Cloud,
  createToken,
  insertEmbeddings,
  registerReleaseDir,
  startCloud,
} from '@heartline/cloud';
import { CANONICAL_LEADS } from '@heartline/ecg/signal';
import { generateDataset } from '@heartline/ecg/synth';
import { openPtbxlFolder, readWfdbRecord, writeDataset } from '@heartline/node-io';
import { generateSigningKeys, makeRelease, type ReleaseFixture } from '@heartline/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const N = 10;
let root: string;
let wardA: string;
let wardB: string;
let release: ReleaseFixture;
let cloud: Cloud;
let viewer: string;
let operator: string;

async function call(path: string, init: { token?: string; body?: unknown } = {}) {
  const res = await cloud.api.request(`/api/v1${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${init.token ?? viewer}`, 'content-type': 'application/json' },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as any };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hl-cloud-ecgs-'));
  wardA = join(root, 'Ward A');
  wardB = join(root, 'ward-b');
  await writeDataset(wardA, generateDataset({ n: N, seed: 11 }));
  await cp(wardA, wardB, { recursive: true });
  release = await makeRelease(join(root, 'release'), 4, generateSigningKeys().privateKeyPem);
  cloud = await startCloud({
    mqttPort: 0,
    releaseDirs: [release.dir],
    importRoots: [root],
    log: () => undefined,
  });
  viewer = await createToken(cloud.db, 'viewer');
  operator = await createToken(cloud.db, 'operator');
});

afterAll(async () => {
  await cloud?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('ECG import', () => {
  it('stores every record of the folder as a case of its pseudo-device', async () => {
    const res = await call('/records/import', { token: operator, body: { dir: wardA, ecgs: true } });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json.stored).toBe(N);
    expect(res.json.ecgs).toEqual({
      deviceId: 'dataset-ward-a',
      release: release.release,
      stored: N,
      skipped: 0,
    });
    const twin = await call('/records/import', { token: operator, body: { dir: wardB, ecgs: true } });
    expect(twin.json.ecgs.deviceId).toBe('dataset-ward-b');

    const { json } = await call('/cases?deviceId=dataset-ward-a&k=100');
    expect(json.cases).toHaveLength(N);
    const times = json.cases.map((c: { t0: string }) => Date.parse(c.t0));
    expect(times).toEqual([...times].sort((x, y) => y - x));
    const folder = await openPtbxlFolder(wardA, { includeSignals: false });
    const first = folder.rows[0]!;
    const listed = json.cases.find((c: { seq: number }) => c.seq === first.ecgId);
    expect(listed).toMatchObject({
      deviceId: 'dataset-ward-a',
      studyId: String(first.ecgId),
      patientId: String(Math.trunc(first.patientId!)),
      release: release.release,
    });
    expect((await call('/cases?k=3')).json.cases).toHaveLength(3);
  });

  it('serves the waveform of an imported case as the file holds it (100 Hz, 12 leads, mV)', async () => {
    const folder = await openPtbxlFolder(wardA, { includeSignals: false });
    const row = folder.rows[2]!;
    const res = await call(`/cases/dataset-ward-a/${row.ecgId}/waveform`);
    expect(res.status).toBe(200);
    expect(res.json.fs).toBe(100);
    expect(res.json.units).toBe('mV');
    expect(res.json.leads).toEqual([...CANONICAL_LEADS]);
    const file = (await readWfdbRecord(join(wardA, row.filenameLr))).signal();
    expect(file.sampleRate).toBe(100);
    CANONICAL_LEADS.forEach((lead, i) => {
      const source = file.leadNames.findIndex((name) => name.toLowerCase() === lead.toLowerCase());
      expect(source, lead).toBeGreaterThanOrEqual(0);
      expect(res.json.signals[i]).toEqual(Array.from(file.leads[source]!));
    });
    // Physical units: an ECG in mV has beats of the order of 1 mV, not 1000.
    const peak = Math.max(...res.json.signals[1].map((v: number) => Math.abs(v)));
    expect(peak).toBeGreaterThan(0.1);
    expect(peak).toBeLessThan(10);
  });

  it('refuses the waveform of a device case: its raw ECG never left the device', async () => {
    await addDevice(cloud.db, 'cart-1');
    const h = new Float32Array((await cloud.releases.model(release.release)).ecgDim).fill(0.5);
    const model = await cloud.releases.model(release.release);
    await insertEmbeddings(cloud.db, [
      {
        deviceId: 'cart-1',
        seq: 1,
        t0: Date.now(),
        release: release.release,
        leadMask: 0xfff,
        quality: 1,
        h,
        z: model.projectEcg(h, 1),
      },
    ]);
    expect((await call('/cases/cart-1/1')).status).toBe(200);
    const res = await call('/cases/cart-1/1/waveform');
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('NOT_FOUND');
    expect((await call('/cases/dataset-ward-a/999999/waveform')).status).toBe(404);
  });

  it('finds the identical recording of the other folder first among similar cases', async () => {
    const folder = await openPtbxlFolder(wardA, { includeSignals: false });
    for (const row of folder.rows.slice(0, 3)) {
      const res = await call(`/cases/dataset-ward-a/${row.ecgId}/similar?k=3`);
      expect(res.status).toBe(200);
      expect(res.json.hits[0]).toMatchObject({ deviceId: 'dataset-ward-b', seq: row.ecgId });
      expect(res.json.hits[0].score).toBeGreaterThan(0.9999);
    }
  });

  it('links reports and answers reports and diagnosis queries for an imported case', async () => {
    const folder = await openPtbxlFolder(wardA, { includeSignals: false });
    const row = folder.rows[0]!;
    const detail = await call(`/cases/dataset-ward-a/${row.ecgId}`);
    expect(detail.json.records.map((r: { id: string }) => r.id)).toContain(`ptbxl-${row.ecgId}`);
    const reports = await call(`/cases/dataset-ward-a/${row.ecgId}/reports?k=3`);
    expect(reports.status).toBe(200);
    expect(reports.json.hits).toHaveLength(3);
    const diagnosis = await call(`/cases/dataset-ward-a/${row.ecgId}/diagnosis?set=superclass`);
    expect(diagnosis.status).toBe(200);
    const total = diagnosis.json.classes.reduce(
      (s: number, c: { probability: number }) => s + c.probability,
      0,
    );
    expect(total).toBeCloseTo(1, 5);
  });
});

describe('release details', () => {
  it('returns the evaluation report with ROC curves and the training log', async () => {
    const res = await call(`/releases/${release.release}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: release.release, live: true, mode: 'pretrain', preset: 'tiny' });
    const metrics = JSON.parse(await readFile(join(release.dir, 'metrics.json'), 'utf8'));
    const perClass = metrics.validation.zeroShot.perClass as Record<string, { auroc: number | null }>;
    const withCurves = Object.keys(res.json.rocCurves);
    expect(withCurves.length).toBeGreaterThan(0);
    expect(withCurves.every((code) => code in perClass)).toBe(true);
    for (const code of withCurves) {
      const { fpr, tpr, auroc } = res.json.rocCurves[code];
      expect(fpr.length).toBe(tpr.length);
      expect([fpr[0], tpr[0], fpr.at(-1), tpr.at(-1)]).toEqual([0, 0, 1, 1]);
      expect(auroc).toBe(perClass[code]!.auroc);
    }
    expect(res.json.metrics.zeroShot.macroAuroc).toBe(metrics.validation.zeroShot.macroAuroc);
    expect(res.json.metrics.rocCurves).toEqual(res.json.rocCurves);
    const log = (await readFile(join(release.dir, 'training-log.jsonl'), 'utf8')).trim().split('\n');
    expect(res.json.trainingLog).toHaveLength(log.length);
    expect(res.json.trainingLog[0]).toMatchObject({ epoch: 1 });
    expect((await call('/releases/r-nope')).status).toBe(404);
  });

  it('gives an older release without ROC points empty rocCurves', async () => {
    const path = join(release.dir, 'metrics.json');
    const metrics = JSON.parse(await readFile(path, 'utf8'));
    for (const entry of Object.values(metrics.validation.zeroShot.perClass) as Record<string, unknown>[])
      delete entry['roc'];
    await writeFile(path, JSON.stringify(metrics));
    // Details come from the files stored at registration: the changed folder is registered again.
    await registerReleaseDir(cloud.db, release.dir);
    const res = await call(`/releases/${release.release}`);
    expect(res.status).toBe(200);
    expect(res.json.rocCurves).toEqual({});
    expect(res.json.metrics.zeroShot.macroAuroc).toBe(metrics.validation.zeroShot.macroAuroc);
  });
});

describe('OpenAPI document', () => {
  it('describes the fleet, case, waveform, release-details and channel-event endpoints', async () => {
    const res = await cloud.api.request('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    for (const path of [
      '/fleet',
      '/cases',
      '/cases/{deviceId}/{seq}/waveform',
      '/releases/{id}',
      '/channels/{channel}/events',
    ]) {
      expect(doc.paths[path]?.['get'], path).toBeDefined();
    }
  });
});
