/**
 * The dashboard at `/`: an HTML shell and its script and stylesheet, bundled in memory from
 * `apps/cloud/web/dashboard.ts` on first request. Pages route inside the document by hash
 * (`#/fleet`, `#/cases`, `#/cases/{device}/{seq}`, `#/models`), so the server has three paths only.
 */
import { fileURLToPath } from 'node:url';
import type { Env, Hono } from 'hono';
import { webBundle } from './web-bundle.js';

const ENTRY = fileURLToPath(new URL('../../web/dashboard.ts', import.meta.url));

/** The document every dashboard page starts from (an empty icon keeps browsers from asking for one). */
const SHELL = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>heartline dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/dashboard.css">
<script type="module" src="/assets/dashboard.js"></script>
</head>
<body><div id="app"><p>Loading the dashboard…</p></div>
<noscript>The heartline dashboard needs JavaScript.</noscript></body>
</html>
`;

/** Mounts `/`, `/assets/dashboard.js` and `/assets/dashboard.css` on `app` (open: the API checks tokens). */
export function mountDashboardPage<E extends Env>(app: Hono<E>): void {
  app.get('/', (c) => c.html(SHELL));
  app.get('/assets/dashboard.js', async (c) => {
    const { js } = await webBundle(ENTRY);
    return c.body(js, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' });
  });
  app.get('/assets/dashboard.css', async (c) => {
    const { css } = await webBundle(ENTRY);
    return c.body(css, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache' });
  });
}
