/**
 * The browser device page in a real Chromium (headless, driven by playwright-core) against a real cloud:
 * embedded aedes reached over MQTT-over-WebSocket at `/mqtt` on the cloud's HTTP server, PGlite, and a
 * tiny trained release rolled out (signed by the cloud) to the device's channel. The page verifies the
 * manifest with WebCrypto, downloads and checks the ONNX, self-tests it on onnxruntime-web and publishes
 * CBOR embedding messages that the cloud stores. A screenshot is kept in `test/artifacts/`.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDevice, type Cloud, ensureLocalCa, listReleases, spkiSha256, startCloud } from '@heartline/cloud';
import { decodeEmbeddingMessage, type EmbeddingMessage, TOPICS } from '@heartline/contract';
import { DEVICE_PAGE_DIR } from '@heartline/device';
import { generateEcg } from '@heartline/ecg/synth';
import { encodeWfdbRecord } from '@heartline/ecg/wfdb';
import { generateSigningKeys, makeRelease } from '@heartline/test-support';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/run-heartline.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `browser-device tests skipped: no Chromium at ${CHROMIUM} (install chromium or set CHROMIUM_PATH)`,
  );
}

let root: string;
let cloud: Cloud;
let browser: Browser;
let releaseId: string;
let ecgDim: number;
const published: EmbeddingMessage[] = [];

async function storedRows(deviceId: string) {
  const { rows } = await cloud.db.query<{ seq: string | number; release: string; h: Uint8Array }>(
    'SELECT seq, release, h FROM embeddings WHERE device_id = $1 ORDER BY seq',
    [deviceId],
  );
  return rows;
}

/** A 25 s, 12-lead synthetic recording at 500 Hz written as a WFDB record (format 16, 200 units/mV). */
function wfdbRecordFiles() {
  const ecg = generateEcg({ seed: 'browser-wfdb', seconds: 25, sampleRate: 500 });
  const record = encodeWfdbRecord({
    recordName: 'picked',
    sampleRate: 500,
    signals: ecg.signal.leads.map((lead, i) => ({
      name: ecg.signal.leadNames[i] ?? `signal ${i}`,
      units: 'mV',
      gain: 200,
      digital: Int16Array.from(lead, (v) => Math.round(v * 200)),
    })),
  });
  return [
    { name: 'picked.hea', mimeType: 'text/plain', buffer: Buffer.from(record.header) },
    { name: record.dataFileName, mimeType: 'application/octet-stream', buffer: Buffer.from(record.data) },
  ];
}

/** Opens the page and collects console errors and uncaught exceptions. */
async function openPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`HTTP ${response.status()} ${response.url()}`);
  });

  // HTTPS: the page reaches the broker over WSS at /mqtt and downloads the release over HTTPS.
  const response = await page.goto(`https://127.0.0.1:${cloud.httpPort}/device/`);
  expect(response?.status()).toBe(200);
  return { page, errors };
}

beforeAll(async () => {
  if (!hasChromium) return;
  root = await mkdtemp(join(tmpdir(), 'hl-browser-device-'));
  // The fixture's own signature is not used: the rollout signs with the cloud's key.
  const release = await makeRelease(join(root, 'release'), 3, generateSigningKeys().privateKeyPem);
  // TLS from a CA made for this test; Chromium trusts exactly the server's key (SPKI pin), nothing else.
  const ca = await ensureLocalCa(join(root, 'tls'));
  cloud = await startCloud({
    httpPort: 0,
    mqttPort: 0,
    tls: { cert: ca.cert, key: ca.key, ca: ca.ca },
    releaseDirs: [release.dir],
    devicePageDir: DEVICE_PAGE_DIR,
    log: () => undefined,
  });
  const row = (await listReleases(cloud.db))[0]!;
  releaseId = row.id;
  ecgDim = row.ecgDim;
  await cloud.bus.subscribe(TOPICS.embedding('web-1'), (_topic, payload) => {
    published.push(decodeEmbeddingMessage(payload));
  });
  await cloud.rollout.rollOut(releaseId, 'stable');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', `--ignore-certificate-errors-spki-list=${spkiSha256(ca.cert)}`],
  });
});

afterAll(async () => {
  await browser?.close();
  await cloud?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe.skipIf(!hasChromium)('browser device page', () => {
  it('loads the rolled-out model, encodes a synthetic stream and the cloud stores its embeddings', async () => {
    const secret = await addDevice(cloud.db, 'web-1', 'stable');
    const { page, errors } = await openPage();
    await page.getByLabel('Device id').fill('web-1');
    await page.getByLabel('Secret').fill(secret);
    await page.getByLabel('Source', { exact: true }).selectOption('synthetic');
    await page.getByLabel('Synthetic condition').selectOption('AFIB');
    await page.getByLabel('Pace').selectOption('10');
    await page.getByRole('button', { name: 'Connect' }).click();
    await expect
      .poll(() => page.locator('#status-connection').textContent(), { timeout: 30_000 })
      .toBe('connected');
    await expect
      .poll(() => page.locator('#status-release').textContent(), { timeout: 60_000 })
      .toBe(releaseId);
    await page.getByRole('button', { name: 'Start' }).click();

    await expect
      .poll(async () => (await storedRows('web-1')).length, {
        timeout: 90_000,
        interval: 200,
        message: '2 embeddings of web-1 stored',
      })
      .toBeGreaterThanOrEqual(2);
    const rows = await storedRows('web-1');
    for (const row of rows) {
      expect(row.release).toBe(releaseId);
      // h is stored as raw little-endian float32: ecgDim values.
      expect(row.h.byteLength).toBe(ecgDim * 4);
    }
    // What went over the wire decodes as the Node device's message, with the release's dimension.
    expect(published.length).toBeGreaterThanOrEqual(2);
    for (const message of published) {
      expect(message.deviceId).toBe('web-1');
      expect(message.release).toBe(releaseId);
      expect(message.h.length).toBe(ecgDim);
      expect(message.h.every((v) => Number.isFinite(v))).toBe(true);
      expect(message.quality).toBeGreaterThan(0);
    }
    const seqs = published.map((m) => m.seq).sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(seqs.length);
    // The page lists what it sent and the seq it will use next is kept for a reload.
    await expect
      .poll(() => page.locator('#sent-log tbody tr').count(), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(2);
    const storedNext = Number(await page.evaluate(() => localStorage.getItem('heartline.seq.web-1')));
    expect(storedNext).toBeGreaterThan(Math.max(...seqs));

    await page.getByRole('button', { name: 'Stop' }).click();
    await mkdir(join(repoRoot, 'test', 'artifacts'), { recursive: true });
    await page.screenshot({
      path: join(repoRoot, 'test', 'artifacts', 'browser-device.png'),
      fullPage: true,
    });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('replays a WFDB record picked as files (.hea + .dat) and the cloud stores its windows', async () => {
    const secret = await addDevice(cloud.db, 'web-3', 'stable');
    const { page, errors } = await openPage();
    await page.getByLabel('Device id').fill('web-3');
    await page.getByLabel('Secret').fill(secret);
    await page.getByLabel('Source', { exact: true }).selectOption('wfdb');
    await page.getByLabel('WFDB files (.hea + .dat)').setInputFiles(wfdbRecordFiles());
    await page.getByLabel('Pace').selectOption('10');
    await page.getByLabel('Trace layout').selectOption('II');
    await page.getByRole('button', { name: 'Connect' }).click();
    await expect
      .poll(() => page.locator('#status-release').textContent(), { timeout: 60_000 })
      .toBe(releaseId);
    await page.getByRole('button', { name: 'Start' }).click();
    // 25 s make two whole windows; the replay loops, so more follow.
    await expect
      .poll(async () => (await storedRows('web-3')).length, {
        timeout: 90_000,
        interval: 200,
        message: '2 embeddings of web-3 stored',
      })
      .toBeGreaterThanOrEqual(2);
    for (const row of await storedRows('web-3')) expect(row.h.byteLength).toBe(ecgDim * 4);
    expect(await page.locator('#log').textContent()).toContain('source wfdb:picked');
    await page.getByRole('button', { name: 'Stop' }).click();
    await mkdir(join(repoRoot, 'test', 'artifacts'), { recursive: true });
    await page.screenshot({ path: join(repoRoot, 'test', 'artifacts', 'browser-device-wfdb.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the refusal of a wrong secret and stores nothing', async () => {
    await addDevice(cloud.db, 'web-2', 'stable');
    const authFailed = () => cloud.ingest.stats().rejected['auth-failed'] ?? 0;
    const refusedBefore = authFailed();
    const { page, errors } = await openPage();
    await page.getByLabel('Device id').fill('web-2');
    await page.getByLabel('Secret').fill('not-the-secret');
    await page.getByRole('button', { name: 'Connect' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await alert.textContent()).toMatch(/refused device "web-2".*secret/);
    expect(await page.locator('#status-connection').textContent()).toBe('disconnected');
    expect(await page.getByRole('button', { name: 'Start' }).isDisabled()).toBe(true);
    // Positive evidence that the broker itself refused the login (not only that the page says so): its
    // refusal counter moved. Nothing of web-2 can have been stored then.
    await expect
      .poll(authFailed, { timeout: 10_000, message: 'the broker counting the refused login' })
      .toBeGreaterThan(refusedBefore);
    expect(await storedRows('web-2')).toEqual([]);
    // The refusal is the page's message, not an uncaught error.
    expect(errors).toEqual([]);
    await mkdir(join(repoRoot, 'test', 'artifacts'), { recursive: true });
    await page.screenshot({ path: join(repoRoot, 'test', 'artifacts', 'browser-device-refused.png') });
    await page.close();
  });

  it('is not trusted by a browser without the pin of the server key (no blanket certificate bypass)', async () => {
    const plain = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    try {
      const page = await plain.newPage();
      await expect(page.goto(`https://127.0.0.1:${cloud.httpPort}/device/`)).rejects.toThrow(
        /ERR_CERT_AUTHORITY_INVALID/,
      );
    } finally {
      await plain.close();
    }
  });
});
