/**
 * The dashboard at `/`: an HTML shell and the script and stylesheet `pnpm build` bundles from
 * `apps/cloud/web/dashboard.ts` (served from the built pages' `dashboard/` folder). Pages route inside
 * the document by hash (`#/fleet`, `#/cases`, `#/cases/{device}/{seq}`, `#/models`), so the server has
 * three paths only.
 */
import { join } from 'node:path';
import type { Env, Hono } from 'hono';
import { BUILT_PAGES_DIR, BuiltPageFiles, CONTENT_TYPE } from './built-pages.js';

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

/**
 * Mounts `/`, `/assets/dashboard.js` and `/assets/dashboard.css` on `app` (open: the API checks tokens).
 * `pagesDir`: the built pages' folder (default {@link BUILT_PAGES_DIR}).
 */
export function mountDashboardPage<E extends Env>(app: Hono<E>, pagesDir: string = BUILT_PAGES_DIR): void {
  const files = new BuiltPageFiles(join(pagesDir, 'dashboard'));
  app.get('/', (c) => c.html(SHELL));
  app.get('/assets/dashboard.js', (c) => files.serve(c, 'dashboard.js', CONTENT_TYPE.js));
  app.get('/assets/dashboard.css', (c) => files.serve(c, 'dashboard.css', CONTENT_TYPE.css));
}
