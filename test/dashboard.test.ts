/**
 * The dashboard end to end: the real stack started as the README does (`heartline start`, demo preset,
 * three simulated devices), driven in Chromium with playwright-core. Signs in with the keyboard, sees the
 * fleet online, searches a phrase and gets the expected condition first, opens an imported case with its
 * 12-lead trace, trains a release from the Models page, rolls it out to canary and watches demo-1 switch;
 * a viewer token sees no operator controls. No console or page errors are allowed; screenshots go to
 * test/artifacts/.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fetchTrusting } from './support/https-fetch.js';
import { repoRoot, runHeartline } from './support/run-heartline.js';

/** Names Chromium goes by on Linux distributions and macOS/Homebrew. */
const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** Path of a Chromium executable: `CHROMIUM_PATH`, else the first on PATH; undefined when none. */
function findChromium(): string | undefined {
  const explicit = process.env['CHROMIUM_PATH'];
  if (explicit) return explicit;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    for (const name of NAMES) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** A running `heartline start` and what it printed. */
interface RunningStack {
  readonly child: ChildProcess;
  /** Base URL of the dashboard (ends with `/`). */
  readonly dashboardUrl: string;
  /** Base URL of the API (`…/api/v1`). */
  readonly apiUrl: string;
  readonly operatorToken: string;
  /** The local CA's certificate file and the server key pin, as printed. */
  readonly caFile: string;
  readonly printedPin: string;
  /** Device ids and their descriptions, as printed (`demo-2` → `atrial fibrillation`). */
  readonly devices: ReadonlyMap<string, string>;
  /** Everything printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `heartline start` as the README does (the built CLI with plain Node; `pnpm test` builds first),
 * with `args` appended, and resolves once it prints its operator token line.
 */
function startStack(args: readonly string[], timeoutMs: number): Promise<RunningStack> {
  const child = spawn(process.execPath, ['apps/cli/dist/main.js', 'start', ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const output = () => `--- stdout\n${stdout}\n--- stderr (tail)\n${stderr.slice(-12000)}`;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`heartline start did not come up in ${timeoutMs / 1000} s\n${output()}`));
    }, timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`heartline start exited (${signal ?? code}) before it was up\n${output()}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const token = /operator\s+Authorization: Bearer (\S+)/.exec(stdout)?.[1];
      const api = /API\s+(https:\/\/\S+\/api\/v1)/.exec(stdout)?.[1];
      const caFile = /TLS\s+CA certificate (\S+):/.exec(stdout)?.[1];
      const printedPin = /server key pin sha256\/(\S+)/.exec(stdout)?.[1];
      // The summary's own 'devices' row (line-anchored: the TLS row's text also says "devices take it…").
      const summary = stdout.indexOf('heartline is up');
      const devicesLine =
        summary < 0 ? undefined : /^ {2}devices {2,}(.+)$/m.exec(stdout.slice(summary))?.[1];
      if (!token || !api || !caFile || !printedPin || devicesLine === undefined) return;
      clearTimeout(timer);
      const dashboardUrl = /dashboard\s+(https:\/\/\S+)/.exec(stdout)?.[1] ?? api.replace(/api\/v1$/, '');
      const devices = new Map(
        [...devicesLine.matchAll(/([\w-]+) \(([^)]*)\)/g)].map((m) => [m[1]!, m[2]!] as const),
      );
      resolve({
        child,
        dashboardUrl: dashboardUrl.endsWith('/') ? dashboardUrl : `${dashboardUrl}/`,
        apiUrl: api,
        operatorToken: token,
        caFile,
        printedPin,
        devices,
        output,
        stop,
      });
    });
  });
}

const CHROMIUM = findChromium();
const ARTIFACTS = join(repoRoot, 'test', 'artifacts');
/**
 * First start trains the demo bootstrap release, as the README's command does (about 3 minutes on two
 * cores): the tiny preset's retrieval is too weak for a search to put the expected condition first.
 */
const START_TIMEOUT_MS = 8 * 60_000;
const TRAIN_TIMEOUT_MS = 10 * 60_000;
const OPERATOR_CONTROLS = /^(Roll out to |Roll back |Start training job|Cancel job)/;

if (!CHROMIUM)
  console.warn(
    "dashboard test skipped: no Chromium found (install Debian's `chromium` or set CHROMIUM_PATH)",
  );

let work: string;
let stack: RunningStack;
let viewerToken: string;
/** fetch trusting the stack's local CA only (set once it is up). */
let apiFetch: ReturnType<typeof fetchTrusting>;
let browser: Browser;
let operatorContext: BrowserContext;
let page: Page;
const problems: string[] = [];

/** Collects console errors and uncaught page errors of `target` into `problems`. */
function watch(target: Page, who: string): void {
  target.on('console', (message) => {
    if (message.type() === 'error')
      problems.push(`${who} console: ${message.text()} (${message.location().url})`);
  });
  target.on('pageerror', (error) => problems.push(`${who} page error: ${error.message}`));
}

async function screenshot(target: Page, name: string): Promise<void> {
  await target.screenshot({ path: join(ARTIFACTS, `dashboard-${name}.png`), fullPage: true });
}

/** Accessibility basics of what is on screen: labelled controls, one h1, no skipped heading levels. */
async function accessibilityProblems(target: Page): Promise<string[]> {
  return target.evaluate(() => {
    const found: string[] = [];
    for (const control of Array.from(
      document.querySelectorAll<HTMLInputElement>('input, select, textarea'),
    )) {
      const labelled =
        (control.labels?.length ?? 0) > 0 ||
        control.getAttribute('aria-label') ||
        control.getAttribute('aria-labelledby');
      if (!labelled) found.push(`unlabelled ${control.tagName.toLowerCase()}#${control.id}`);
    }
    for (const button of Array.from(document.querySelectorAll('button')))
      if (!(button.textContent ?? '').trim() && !button.getAttribute('aria-label'))
        found.push('button without a name');
    for (const element of Array.from(document.querySelectorAll('[onclick], [role="button"]')))
      found.push(`clickable non-button <${element.tagName.toLowerCase()}>`);
    const levels = Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6')).map((h) =>
      Number(h.tagName[1]),
    );
    if (levels.filter((l) => l === 1).length !== 1)
      found.push(`expected one h1, found ${levels.filter((l) => l === 1).length}`);
    levels.forEach((level, i) => {
      if (i > 0 && level > levels[i - 1]! + 1) found.push(`heading h${level} follows h${levels[i - 1]}`);
    });
    return found;
  });
}

/** Signs in by keyboard only: the token field has focus on arrival, Enter submits. */
async function signIn(target: Page, token: string): Promise<void> {
  await target.goto(stack.dashboardUrl);
  const field = target.getByLabel('Access token');
  await expect.poll(() => field.evaluate((el) => el === document.activeElement)).toBe(true);
  await target.keyboard.type(token);
  await target.keyboard.press('Enter');
  await target.locator('nav[aria-label="Main"]').waitFor();
}

/** Follows a main navigation link with the keyboard. */
async function goTo(target: Page, label: 'Fleet' | 'Cases' | 'Models'): Promise<void> {
  await target.getByRole('link', { name: label, exact: true }).focus();
  await target.keyboard.press('Enter');
  await target.getByRole('heading', { level: 1, name: label === 'Fleet' ? 'Fleet' : label }).waitFor();
}

describe.skipIf(!CHROMIUM)('dashboard', () => {
  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    work = await mkdtemp(join(tmpdir(), 'hl-dashboard-'));
    const data = join(work, 'data');
    // The viewer token goes into the cloud's database before the stack opens it (PGlite is one process).
    const issued = await runHeartline([
      'token',
      '--role',
      'viewer',
      '--label',
      'dashboard test',
      '--data',
      join(data, 'cloud'),
    ]);
    expect(issued.code, issued.stderr).toBe(0);
    viewerToken = issued.stdout.trim();
    stack = await startStack(
      ['--preset', 'demo', '--data', data, '--port', '0', '--mqtt-port', '0', '--devices', '3'],
      START_TIMEOUT_MS,
    );
    // HTTPS with the local CA `start` created: Chromium trusts exactly the server's key (a pin on its
    // SubjectPublicKeyInfo), so certificate errors are still errors for anything else.
    const serverCert = new X509Certificate(await readFile(join(data, 'tls', 'server.pem')));
    const pin = createHash('sha256')
      .update(serverCert.publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64');
    expect(stack.printedPin).toBe(pin);
    expect(serverCert.verify(new X509Certificate(await readFile(stack.caFile)).publicKey)).toBe(true);
    apiFetch = fetchTrusting(await readFile(stack.caFile, 'utf8'));
    browser = await chromium.launch({
      executablePath: CHROMIUM!,
      args: ['--no-sandbox', `--ignore-certificate-errors-spki-list=${pin}`],
    });
    operatorContext = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await operatorContext.newPage();
    watch(page, 'operator');
  }, START_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  }, 60_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' || task.result?.errors?.length) {
      await screenshot(page, `failed-${task.name.replace(/\W+/g, '-')}`).catch(() => undefined);
      // What the stack and its devices said: the first thing to read when a device did not come up.
      console.log(`heartline start output at the failure of '${task.name}':\n${stack?.output()}`);
    }
  });

  it('signs in with the keyboard and sees the fleet online', async () => {
    await signIn(page, stack.operatorToken);
    expect(await page.locator('[data-role]').getAttribute('data-role')).toBe('operator');
    await page.getByRole('heading', { level: 1, name: 'Fleet' }).waitFor();
    expect(stack.devices.size).toBe(3);
    await page.locator(`#fleet-summary[data-online="${stack.devices.size}"]`).waitFor({ timeout: 120_000 });
    for (const id of stack.devices.keys()) {
      const row = page.locator(`tr[data-device="${id}"]`);
      expect(await row.getAttribute('data-state')).toBe('online');
      // The release in use appears once the device has installed its first model.
      await expect
        .poll(async () => (await row.locator('td.release').textContent())?.trim(), { timeout: 120_000 })
        .toMatch(/^r\S+/);
    }
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'fleet');
  }, 180_000);

  it('reaches every page by Tab and Enter with a visible focus ring', async () => {
    await page.locator('body').focus();
    let reached = false;
    for (let i = 0; i < 12 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.textContent === 'Models');
    }
    expect(reached).toBe(true);
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Models' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
  });

  it('searches a phrase and gets the expected condition first', async () => {
    await goTo(page, 'Cases');
    // The query, the SCP code of a matching report, and how the matching demo device describes itself.
    const wanted = { phrase: 'left bundle branch block', code: 'CLBBB', device: 'LBBB' };
    await page.getByLabel('Search cases by description').fill(wanted.phrase);
    await page.keyboard.press('Enter');
    const first = page.locator('li.hit[data-rank="1"]');
    await first.locator('figure.bars li').first().waitFor({ timeout: 60_000 });
    const score = Number((await first.locator('.score').textContent())?.replace('score ', ''));
    expect(score).toBeGreaterThan(0);
    // Every hit's linked report has loaded (or said there is none).
    await expect
      .poll(async () => page.locator('li.hit:not(:has(.report))').count(), { timeout: 60_000 })
      .toBe(0);
    const hits = await page.locator('li.hit').evaluateAll((items) =>
      items.map((item) => ({
        device: item.getAttribute('data-device') ?? '',
        seq: item.getAttribute('data-seq') ?? '',
        codes: (item.querySelector('.report')?.getAttribute('data-codes') ?? '').split(' ').filter(Boolean),
      })),
    );
    // A hit's condition is known from its linked report's codes (imported ECGs) or from what its device
    // records; a device replaying mixed conditions says nothing, so its hits are passed over.
    const verdict = (hit: (typeof hits)[number]): boolean | undefined => {
      if (hit.codes.length) return hit.codes.includes(wanted.code);
      const about = stack.devices.get(hit.device);
      return about === undefined || about.includes('mixed') ? undefined : about.includes(wanted.device);
    };
    const judged = hits.filter((hit) => verdict(hit) !== undefined);
    expect(judged.length, `no hit of a known condition among ${JSON.stringify(hits)}`).toBeGreaterThan(0);
    expect(
      verdict(judged[0]!),
      `first hit of a known condition: ${JSON.stringify(judged[0])}; all: ${JSON.stringify(hits)}`,
    ).toBe(true);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'search');
  }, 120_000);

  it('opens an imported case with its similar cases and the 12-lead trace plotted', async () => {
    // An imported ECG (the cloud holds its raw signal): one of the search's hits, found through the API.
    const search = await apiFetch(
      `${stack.apiUrl}/search/ecgs?${new URLSearchParams({ text: 'atrial fibrillation', k: '100' })}`,
      { headers: { authorization: `Bearer ${stack.operatorToken}` } },
    );
    const { hits } = (await search.json()) as { hits: { deviceId: string; seq: number }[] };
    const imported = hits.find((hit) => hit.deviceId.startsWith('dataset-'));
    expect(
      imported,
      'no imported dataset ECG is stored (does `start` import the dataset ECGs?)',
    ).toBeDefined();
    const link = page.locator(
      `li.hit[data-device="${imported!.deviceId}"][data-seq="${imported!.seq}"] h3 a`,
    );
    if (await link.count()) {
      await link.focus();
      await page.keyboard.press('Enter');
    } else await page.goto(`${stack.dashboardUrl}#/cases/${imported!.deviceId}/${imported!.seq}`);
    await page.getByRole('heading', { level: 1, name: /^Case dataset-/ }).waitFor();
    const canvas = page.locator('figure.ecg[data-plotted="true"] canvas');
    await canvas.waitFor({ timeout: 60_000 });
    const ink = await canvas.evaluate((element) => {
      const c = element as HTMLCanvasElement;
      const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
      let trace = 0;
      let grid = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
        if (r < 90 && g < 90 && b < 90) trace++;
        else if (r > 200 && g < 200 && b < 215 && r - g > 30) grid++;
      }
      return { trace, grid, pixels: data.length / 4 };
    });
    // Twelve segments and a rhythm strip of dark trace on a pink grid.
    expect(ink.trace).toBeGreaterThan(ink.pixels * 0.002);
    expect(ink.grid).toBeGreaterThan(ink.pixels * 0.02);
    await page.locator('ol.similar li').first().waitFor({ timeout: 30_000 });
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'case');
  }, 120_000);

  it(
    'trains a release from the Models page, rolls it out to canary and sees demo-1 switch',
    async () => {
      await goTo(page, 'Models');
      await page.locator('tr[data-release]').first().waitFor({ timeout: 30_000 });
      await page.locator('tr[data-channel="stable"]').waitFor({ timeout: 30_000 });
      const releasesBefore = await page
        .locator('tr[data-release]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-release')));
      expect(releasesBefore.length).toBeGreaterThan(0);
      const stableRelease = (
        await page.locator('tr[data-channel="stable"] td.release').textContent()
      )?.trim();
      await page.getByLabel('Kind').selectOption('pretrain');
      await page.getByLabel('Preset').selectOption('tiny');
      await page.getByRole('button', { name: 'Start training job' }).focus();
      await page.keyboard.press('Enter');
      const job = page.locator('tr[data-job]').first();
      await job.waitFor({ timeout: 30_000 });
      // Live progress: the progress bar moves before the job ends.
      await expect
        .poll(async () => Number(await job.locator('progress').getAttribute('value')), { timeout: 120_000 })
        .toBeGreaterThan(0);
      await screenshot(page, 'models-training');
      await page
        .locator('tr[data-job][data-status="succeeded"]')
        .first()
        .waitFor({ timeout: TRAIN_TIMEOUT_MS });
      const release = (
        await page.locator('tr[data-job][data-status="succeeded"] td.release').first().textContent()
      )?.trim();
      expect(release).toBeTruthy();
      expect(releasesBefore).not.toContain(release);
      const row = page.locator(`tr[data-release="${release}"]`);
      await row.waitFor({ timeout: 30_000 });
      await row.getByRole('button', { name: 'Roll out to canary' }).focus();
      await page.keyboard.press('Enter');
      await expect
        .poll(
          async () => (await page.locator('tr[data-channel="canary"] td.release').textContent())?.trim(),
          {
            timeout: 30_000,
          },
        )
        .toBe(release);
      await screenshot(page, 'models-rollout');
      await goTo(page, 'Fleet');
      await expect
        .poll(async () => (await page.locator('tr[data-device="demo-1"] td.release').textContent())?.trim(), {
          timeout: 180_000,
          interval: 2000,
        })
        .toBe(release);
      // Devices on stable stay where they were.
      expect((await page.locator('tr[data-device="demo-2"] td.release').textContent())?.trim()).toBe(
        stableRelease,
      );
      await screenshot(page, 'fleet-canary');
    },
    TRAIN_TIMEOUT_MS + 6 * 60_000,
  );

  it('shows a viewer the metrics but no rollout or training controls', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const viewer = await context.newPage();
    watch(viewer, 'viewer');
    await signIn(viewer, viewerToken);
    expect(await viewer.locator('[data-role]').getAttribute('data-role')).toBe('viewer');
    await goTo(viewer, 'Models');
    const toggle = viewer.getByRole('button', { name: 'Show metrics' }).first();
    await toggle.waitFor({ timeout: 30_000 });
    const names = await viewer
      .getByRole('button')
      .evaluateAll((buttons) => buttons.map((b) => b.textContent ?? ''));
    expect(names.filter((n) => OPERATOR_CONTROLS.test(n.trim()))).toEqual([]);
    expect(await viewer.locator('form.job-form').count()).toBe(0);
    await toggle.focus();
    await viewer.keyboard.press('Enter');
    await viewer.locator('.release-metrics').first().waitFor({ timeout: 30_000 });
    expect(await viewer.locator('.release-metrics .uplot').count()).toBeGreaterThan(0);
    expect(await accessibilityProblems(viewer)).toEqual([]);
    await screenshot(viewer, 'models-viewer');
    // The API refuses the viewer too, whatever a page shows.
    const refused = await apiFetch(`${stack.apiUrl}/channels/stable/rollback`, {
      method: 'POST',
      headers: { authorization: `Bearer ${viewerToken}` },
    });
    expect(refused.status).toBe(403);
    await context.close();
  }, 120_000);

  it('logged no console errors and no page errors', () => {
    expect(problems).toEqual([]);
  });
});
