/**
 * The browser device's IndexedDB message journal in a real Chromium: what was written and not deleted is
 * there again after a reload, per device. The journal's source is bundled with what it imports (esbuild,
 * as the device page is) and loaded into a blank https page the test serves itself.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/run-heartline.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const ORIGIN = 'https://journal.heartline.test';

let browser: Browser;
let script: string;

beforeAll(async () => {
  if (!hasChromium) return;
  const bundled = await build({
    entryPoints: [join(repoRoot, 'apps/device/src/outbox/indexeddb-journal.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'journalModule',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source', 'browser'],
    logLevel: 'silent',
  });
  script = `${bundled.outputFiles[0]!.text}\nglobalThis.indexedDbJournal = journalModule.indexedDbJournal;`;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
});

async function load(page: Page): Promise<void> {
  await page.goto(`${ORIGIN}/`);
  await page.addScriptTag({ content: script, type: 'module' });
  await page.waitForFunction(() => 'indexedDbJournal' in globalThis);
}

describe.skipIf(!hasChromium)('IndexedDB message journal', () => {
  it('keeps what was written and not deleted across a reload, per device', async () => {
    const page = await browser.newPage();
    await page.route(`${ORIGIN}/**`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>journal</title>' }),
    );
    await load(page);
    await page.evaluate(async () => {
      type Journal = {
        put(m: { seq: number; payload: Uint8Array }): Promise<void>;
        delete(seq: number): Promise<void>;
      };
      const open = (globalThis as unknown as { indexedDbJournal: (id: string) => Promise<Journal> })
        .indexedDbJournal;
      const a = await open('web-a');
      const b = await open('web-b');
      for (let seq = 0; seq < 4; seq++) await a.put({ seq, payload: Uint8Array.of(seq, 0xaa) });
      await b.put({ seq: 0, payload: Uint8Array.of(0xbb) });
      await a.delete(1);
    });
    await page.reload();
    await load(page);
    const after = await page.evaluate(async () => {
      type Journal = { load(): Promise<{ seq: number; payload: Uint8Array }[]> };
      const open = (globalThis as unknown as { indexedDbJournal: (id: string) => Promise<Journal> })
        .indexedDbJournal;
      const rows = await (await open('web-a')).load();
      const other = await (await open('web-b')).load();
      return {
        a: rows.map((r) => [r.seq, Array.from(r.payload)]),
        b: other.map((r) => [r.seq, Array.from(r.payload)]),
      };
    });
    expect(after.a).toEqual([
      [0, [0, 0xaa]],
      [2, [2, 0xaa]],
      [3, [3, 0xaa]],
    ]);
    expect(after.b).toEqual([[0, [0xbb]]]);
    await page.close();
  });
});
