import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { mountDashboardPage } from './dashboard-page.js';

describe('mountDashboardPage', () => {
  const app = new Hono();
  mountDashboardPage(app);

  it('serves an HTML shell that loads the bundled script and stylesheet', async () => {
    const response = await app.request('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('src="/assets/dashboard.js"');
    expect(html).toContain('href="/assets/dashboard.css"');
  });

  it('bundles the dashboard into one script with no imports left, and its CSS', async () => {
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
});
