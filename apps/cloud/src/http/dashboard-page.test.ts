import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { mountDashboardPage } from './dashboard-page.js';

describe('mountDashboardPage', () => {
  const app = new Hono();

  beforeAll(async () => {
    // A built pages folder of this test's own (what the bundle holds is the build script's test).
    const pagesDir = await mkdtemp(join(tmpdir(), 'hl-pages-'));
    await mkdir(join(pagesDir, 'dashboard'));
    await writeFile(join(pagesDir, 'dashboard', 'dashboard.js'), 'console.log("Access token");\n');
    await writeFile(join(pagesDir, 'dashboard', 'dashboard.css'), '.bar-fill{}\n');
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

  it('serves the built script and stylesheet with their content types', async () => {
    const js = await app.request('/assets/dashboard.js');
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(await js.text()).toContain('Access token');
    const css = await app.request('/assets/dashboard.css');
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
    expect(await css.text()).toContain('.bar-fill');
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
