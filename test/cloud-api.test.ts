/**
 * The HTTP API with real parts (embedded broker, PGlite, mqtt.js devices, a trained tiny release on disk)
 * and a transparent stand-in for the release's encoders: text maps to a condition axis by keywords and
 * h_ecg is its own shared vector. That makes every expected ranking follow from the construction, so the
 * test checks the cloud's plumbing (records, linking, search per release, merge, zero-shot, auth, bad
 * bodies) rather than how well a 12-step model learned.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addDevice,
  type Cloud,
  countEmbeddings,
  createToken,
  type ReleaseModel,
  startCloud,
} from '@heartline/cloud';
import { encodeEmbeddingMessage } from '@heartline/contract';
import { openPtbxlFolder } from '@heartline/node-io';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHeartline } from './support/run-heartline.js';

const AXES: readonly [string, readonly string[]][] = [
  ['NORM', ['normal ecg', 'normales ekg', 'normal trace', 'no definite pathology', 'normalbefund']],
  ['AFIB', ['atrial fibrillation', 'vorhofflimmern']],
  ['SBRAD', ['bradycardia', 'bradykardie']],
  ['STACH', ['tachycardia', 'tachykardie']],
];
const OTHER = 15;

function unit(v: Float32Array): Float32Array {
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
}

function axisVector(dim: number, axes: number[]): Float32Array {
  const v = new Float32Array(dim);
  for (const a of axes.length ? axes : [OTHER]) v[a] = 1;
  return unit(v);
}

function textAxes(text: string): number[] {
  const t = text.toLowerCase();
  return AXES.flatMap(([, words], i) => (words.some((w) => t.includes(w)) ? [i] : []));
}

function codeAxes(codes: readonly string[]): number[] {
  return AXES.flatMap(([code], i) => (codes.includes(code) ? [i] : []));
}

function fakeModel(id: string, dim: number): ReleaseModel {
  return {
    id,
    ecgDim: dim,
    sharedDim: dim,
    projectEcg: (h, n) => {
      const z = new Float32Array(n * dim);
      for (let i = 0; i < n; i++) z.set(unit(h.slice(i * dim, (i + 1) * dim)), i * dim);
      return z;
    },
    encodeText: (texts) => {
      const z = new Float32Array(texts.length * dim);
      for (const [i, t] of texts.entries()) z.set(axisVector(dim, textAxes(t)), i * dim);
      return z;
    },
  };
}

let work: string;
let cloud: Cloud;
let operator: string;
let viewer: string;
let dim: number;
let releaseId: string;
const cases: { studyId: string; patientId: string; codes: string[]; seq: number }[] = [];

function call(path: string, init: { method?: string; body?: unknown; token?: string; raw?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.token) headers['authorization'] = `Bearer ${init.token}`;
  return cloud.api.request(`/api/v1${path}`, {
    method: init.method ?? (init.body !== undefined || init.raw !== undefined ? 'POST' : 'GET'),
    headers,
    ...(init.raw !== undefined
      ? { body: init.raw }
      : init.body !== undefined
        ? { body: JSON.stringify(init.body) }
        : {}),
  });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hl-cloud-api-'));
  const releaseDir = join(work, 'release');
  const synthDir = join(work, 'synth');
  const [trained, synth] = await Promise.all([
    runHeartline(['train', '--out', releaseDir, '--preset', 'tiny']),
    runHeartline(['synth', '--out', synthDir, '--n', '40', '--seed', '5']),
  ]);
  expect(trained.code, trained.stderr).toBe(0);
  expect(synth.code, synth.stderr).toBe(0);
  cloud = await startCloud({
    mqttPort: 0,
    releaseDirs: [releaseDir],
    importRoots: [work],
    flushMs: 5,
    loadRelease: async () => fakeModel(releaseId, dim),
    log: () => undefined,
  });
  const [release] = await cloud.releases.live();
  releaseId = release!.id;
  dim = release!.sharedDim;
  expect(release!.ecgDim).toBe(dim); // the identity projection of the stand-in needs equal widths
  operator = await createToken(cloud.db, 'operator');
  viewer = await createToken(cloud.db, 'viewer');

  // Import the synthetic folder's reports, then publish one device embedding per study.
  const imported = await call('/records/import', { body: { dir: synthDir }, token: operator });
  expect(imported.status).toBe(200);
  const folder = await openPtbxlFolder(synthDir, { includeSignals: false });
  expect((await imported.json()).stored).toBe(folder.rows.length);
  const secret = await addDevice(cloud.db, 'cart-1');
  const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${cloud.mqttPort}`, {
    clientId: 'hl-dev-cart-1',
    username: 'cart-1',
    password: secret,
    reconnectPeriod: 0,
  });
  for (const [seq, row] of folder.rows.entries()) {
    const codes = Object.keys(row.scpCodes);
    const studyId = String(row.ecgId);
    const patientId = String(Math.trunc(row.patientId ?? 0));
    cases.push({ studyId, patientId, codes, seq });
    const h = axisVector(dim, codeAxes(codes));
    h[OTHER - 1] = 0.01 * (seq + 1); // distinct vectors, same ranking
    const payload = encodeEmbeddingMessage({
      v: 1,
      deviceId: 'cart-1',
      seq,
      t0: Date.parse('2026-01-02T03:04:05Z') + seq * 10_000,
      release: releaseId,
      leadMask: 0xfff,
      quality: 1,
      patientId,
      studyId,
      h,
    });
    await device.publishAsync('hl/v1/dev/cart-1/emb', Buffer.from(payload), { qos: 1 });
  }
  await device.endAsync();
  // The embedded broker acknowledges a QoS 1 message once it is stored: every row is there now.
  expect(await countEmbeddings(cloud.db)).toBe(folder.rows.length);
});

afterAll(async () => {
  await cloud?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('queries', () => {
  it('returns an ECG of the matching condition first for a free-text query', async () => {
    let checked = 0;
    for (const [code, words] of AXES) {
      if (!cases.some((c) => c.codes.includes(code))) continue;
      const res = await call(`/search/ecgs?text=${encodeURIComponent(words[0]!)}&k=5`, { token: viewer });
      expect(res.status).toBe(200);
      const { hits } = (await res.json()) as { hits: { studyId: string; score: number }[] };
      const top = cases.find((c) => c.studyId === hits[0]!.studyId)!;
      expect(top.codes, `query '${words[0]}'`).toContain(code);
      expect(hits[0]!.score).toBeGreaterThanOrEqual(hits[1]!.score);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(2);
  });

  it('filters ECG hits by patient', async () => {
    const patient = cases[0]!.patientId;
    const res = await call(`/search/ecgs?text=normal%20ecg&k=50&patientId=${patient}`, { token: viewer });
    const { hits } = (await res.json()) as { hits: { patientId: string }[] };
    expect(hits.length).toBe(cases.filter((c) => c.patientId === patient).length);
    expect(hits.every((h) => h.patientId === patient)).toBe(true);
  });

  it('shows a case with the report linked by study, similar cases, reports and a zero-shot diagnosis', async () => {
    const afib = cases.find((c) => c.codes.includes('AFIB')) ?? cases[0]!;
    const code = afib.codes.includes('AFIB') ? 'AFIB' : undefined;
    const details = await (await call(`/cases/cart-1/${afib.seq}`, { token: viewer })).json();
    expect(details.studyId).toBe(afib.studyId);
    expect(details.records.map((r: { id: string }) => r.id)).toContain(`ptbxl-${afib.studyId}`);

    const similar = await (await call(`/cases/cart-1/${afib.seq}/similar?k=3`, { token: viewer })).json();
    expect(similar.hits.some((h: { seq: number }) => h.seq === afib.seq)).toBe(false);
    const neighbour = cases.find((c) => c.seq === similar.hits[0].seq)!;
    expect(codeAxes(neighbour.codes)).toEqual(codeAxes(afib.codes));

    const reports = await (await call(`/cases/cart-1/${afib.seq}/reports?k=3`, { token: viewer })).json();
    expect(reports.hits.length).toBeGreaterThan(0);
    if (code) {
      const diagnosis = await (
        await call(`/cases/cart-1/${afib.seq}/diagnosis?set=rhythm`, { token: viewer })
      ).json();
      expect(diagnosis.classes[0].code).toBe('AFIB');
      const sum = diagnosis.classes.reduce((s: number, c: { probability: number }) => s + c.probability, 0);
      expect(sum).toBeCloseTo(1, 6);
    }
  });

  it('answers 404 for a case that does not exist', async () => {
    const res = await call('/cases/cart-1/999999', { token: viewer });
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('NOT_FOUND');
  });
});

describe('records', () => {
  it('stores a JSON record and a FHIR DiagnosticReport and Bundle, then finds ECGs for the report', async () => {
    const json = await call('/records', {
      token: operator,
      body: {
        id: 'note-1',
        patientId: 'p9',
        effective: '2026-01-02T03:00:00Z',
        text: 'Atrial fibrillation.',
        codes: ['AFIB'],
      },
    });
    expect(json.status, await json.clone().text()).toBe(201);
    const report = {
      resourceType: 'DiagnosticReport',
      id: 'dr-1',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '11524-6' }] },
      subject: { reference: 'Patient/p9' },
      effectiveDateTime: '2026-01-02T03:05:00Z',
      conclusion: 'Sinus bradycardia, otherwise normal ECG',
      conclusionCode: [{ coding: [{ code: 'SBRAD' }] }],
    };
    const single = await call('/records', { token: operator, body: report });
    expect(single.status).toBe(201);
    expect((await single.json()).ids).toEqual(['fhir-dr-1']);
    const presented = {
      ...report,
      id: 'dr-2',
      conclusion: undefined,
      presentedForm: [
        { contentType: 'text/plain', data: Buffer.from('sinus tachycardia').toString('base64') },
      ],
    };
    const bundle = await call('/records', {
      token: operator,
      body: {
        resourceType: 'Bundle',
        type: 'collection',
        entry: [{ resource: report }, { resource: presented }],
      },
    });
    expect(bundle.status).toBe(201);
    expect((await bundle.json()).stored).toBe(2);
    const ecgs = await (await call('/records/note-1/ecgs?k=1', { token: viewer })).json();
    const top = cases.find((c) => c.studyId === ecgs.hits[0].studyId);
    if (cases.some((c) => c.codes.includes('AFIB'))) expect(top?.codes).toContain('AFIB');
  });

  it('rejects hostile and malformed bodies with 400 and a reason, storing nothing', async () => {
    const count = async () =>
      (await cloud.db.query<{ n: number }>('SELECT count(*)::int AS n FROM clinical_records')).rows[0]!.n;
    const before = await count();
    const bad: [string, { body?: unknown; raw?: string }][] = [
      ['not JSON', { raw: '{"text": ' }],
      ['text as a number', { body: { text: 42 } }],
      ['no text', { body: { patientId: 'p1' } }],
      ['empty text', { body: { text: '' } }],
      ['text of 50 kB', { body: { text: 'x'.repeat(50_000) } }],
      ['SQL in the id', { body: { id: "x'; DROP TABLE clinical_records; --", text: 'normal ecg' } }],
      ['effective not a date', { body: { text: 'normal ecg', effective: 'yesterday' } }],
      ['codes as a string', { body: { text: 'normal ecg', codes: 'AFIB' } }],
      ['an empty array', { body: [] }],
      [
        'FHIR Observation instead of DiagnosticReport',
        { body: { resourceType: 'Observation', status: 'final' } },
      ],
      ['FHIR report without text', { body: { resourceType: 'DiagnosticReport', status: 'final' } }],
      [
        'FHIR report with a bad date',
        { body: { resourceType: 'DiagnosticReport', conclusion: 'x', effectiveDateTime: 'soon' } },
      ],
      ['FHIR Bundle with no entries', { body: { resourceType: 'Bundle', entry: [] } }],
      [
        'FHIR Bundle with one bad entry',
        { body: { resourceType: 'Bundle', entry: [{ resource: { resourceType: 'Patient' } }] } },
      ],
    ];
    for (const [what, init] of bad) {
      const res = await call('/records', { token: operator, ...init });
      expect(res.status, what).toBe(400);
      const body = await res.json();
      expect(body.error.code, what).toBe('BAD_REQUEST');
      expect(body.error.message.length, what).toBeGreaterThan(5);
    }
    expect(await count()).toBe(before);
    const bogusQuery = await call('/search/ecgs?text=x&k=100000', { token: viewer });
    expect(bogusQuery.status).toBe(400);
    expect((await call('/health')).status).toBe(200);
  });
});

describe('auth', () => {
  it('refuses missing and unknown tokens with 401 and a viewer writing with 403', async () => {
    expect((await call('/stats')).status).toBe(401);
    expect((await call('/stats', { token: 'hlt_not-a-real-token-at-all' })).status).toBe(401);
    expect((await call('/records', { token: viewer, body: { text: 'normal ecg' } })).status).toBe(403);
    expect((await call('/devices', { token: viewer, body: { id: 'x' } })).status).toBe(403);
    expect((await call('/stats', { token: viewer })).status).toBe(200);
  });

  it('serves the OpenAPI document listing the routes', async () => {
    const res = await call('/openapi.json');
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/search/ecgs', '/records', '/cases/{deviceId}/{seq}/diagnosis']),
    );
  });
});
