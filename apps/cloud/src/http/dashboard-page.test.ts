import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard } from '../../scripts/build-web.js';
import { mountDashboardPage } from './dashboard-page.js';

describe('mountDashboardPage', () => {
  const app = new Hono();

  beforeAll(async () => {
    // The dashboard as `pnpm build` bundles it, into a folder of this test's own.
    const pagesDir = await mkdtemp(join(tmpdir(), 'hl-pages-'));
    await buildDashboard(join(pagesDir, 'dashboard'));
    mountDashboardPage(app, pagesDir);
  });

  it('serves an HTML shell that loads the bundled script and stylesheet', async () => {
    const response = await app.request('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('src="/assets/dashboard.js"');
    expect(html).toContain('href="/assets/dashboard.css"');
  });

  it('serves the dashboard bundled into one script with no imports left, and its CSS', async () => {
    const js = await app.request('/assets/dashboard.js');
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    const code = await js.text();
    expect(code).toContain('Access token');
    expect(code).not.toMatch(/\bimport\s*[{*]/);
    const css = await (await app.request('/assets/dashboard.css')).text();
    expect(css).toContain('.bar-fill');
    // uPlot's own stylesheet comes along through the chart module.
    expect(css).toContain('.uplot');
  });

  it('answers 503 naming the build step when the pages were never built', async () => {
    const unbuilt = new Hono();
    mountDashboardPage(unbuilt, join(tmpdir(), 'hl-no-such-pages'));
    const response = await unbuilt.request('/assets/dashboard.js');
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      error: { code: 'PAGE_NOT_BUILT', message: expect.stringContaining('pnpm build') },
    });
  });
});
