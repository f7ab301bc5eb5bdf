/**
 * The browser device page at `/device/`: its HTML, the page script bundled from the device app's
 * `web/main.ts` (with its CSS), and onnxruntime-web's wasm runtime files at `/device/ort/`, read from
 * the onnxruntime-web package the device app depends on. The page reaches the embedded broker's
 * MQTT-over-WebSocket at `/mqtt` on the same host.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Env, Hono } from 'hono';
import { webBundle } from './web-bundle.js';

/** The device app's page folder (entry, HTML, CSS). */
const DEVICE_WEB_DIR = fileURLToPath(new URL('../../../device/web/', import.meta.url));
const ENTRY = join(DEVICE_WEB_DIR, 'main.ts');

/** onnxruntime-web's runtime files the page may fetch (wasm binaries and their ES module loaders). */
const ORT_FILE = /^ort-wasm-simd-threaded(\.jsep|\.jspi|\.asyncify)?\.(wasm|mjs)$/;

const files = new Map<string, Promise<ArrayBuffer>>();

function cachedRead(path: string): Promise<ArrayBuffer> {
  let pending = files.get(path);
  if (!pending) {
    pending = readFile(path).then(
      (b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer,
    );
    pending.catch(() => files.delete(path));
    files.set(path, pending);
  }
  return pending;
}

function ortDistDir(): string {
  // Resolved from the page's own folder: onnxruntime-web is the device app's dependency.
  const require = createRequire(ENTRY);
  return dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
}

/** Mounts `GET /device/` (page), `/device/app.js`, `/device/app.css` and `/device/ort/{file}` on `app`. */
export function mountDevicePage<E extends Env>(app: Hono<E>): void {
  let ortDir: string | undefined;
  app.get('/device', (c) => c.redirect('/device/', 301));
  app.get('/device/', async (c) => {
    const html = await cachedRead(join(DEVICE_WEB_DIR, 'index.html'));
    return c.body(new TextDecoder().decode(html), 200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
    });
  });
  app.get('/device/app.js', async (c) => {
    const { js } = await webBundle(ENTRY);
    return c.body(js, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' });
  });
  app.get('/device/app.css', async (c) => {
    const { css } = await webBundle(ENTRY);
    return c.body(css, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache' });
  });
  app.get('/device/ort/:file', async (c) => {
    const name = c.req.param('file');
    if (!ORT_FILE.test(name))
      return c.json({ error: { code: 'NOT_FOUND', message: `no file ${name}` } }, 404);
    ortDir ??= ortDistDir();
    const bytes = await cachedRead(join(ortDir, name));
    const type = name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript; charset=utf-8';
    return c.body(bytes, 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
  });
}
