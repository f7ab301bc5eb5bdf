/**
 * The browser device page at `/device/`: its HTML, script and stylesheet and onnxruntime-web's wasm
 * runtime files at `/device/ort/`, served from the folder the cloud was given (the device package's
 * built page, `DEVICE_PAGE_DIR`: the cloud does not know where another app keeps its files). The page
 * reaches the embedded broker's MQTT-over-WebSocket at `/mqtt` on the same host.
 */
import type { Env, Hono } from 'hono';
import { BuiltPageFiles, CONTENT_TYPE } from './built-pages.js';

/** onnxruntime-web's runtime files the page may fetch (wasm binaries and their ES module loaders). */
const ORT_FILE = /^ort-wasm-simd-threaded(\.jsep|\.jspi|\.asyncify)?\.(wasm|mjs)$/;

/**
 * Mounts `GET /device/` (page), `/device/app.js`, `/device/app.css` and `/device/ort/{file}` on `app`,
 * served from `pageDir` (the built page's folder).
 */
export function mountDevicePage<E extends Env>(app: Hono<E>, pageDir: string): void {
  const files = new BuiltPageFiles(pageDir);
  app.get('/device', (c) => c.redirect('/device/', 301));
  app.get('/device/', (c) => files.serve(c, 'index.html', CONTENT_TYPE.html));
  app.get('/device/app.js', (c) => files.serve(c, 'app.js', CONTENT_TYPE.js));
  app.get('/device/app.css', (c) => files.serve(c, 'app.css', CONTENT_TYPE.css));
  app.get('/device/ort/:file', (c) => {
    const name = c.req.param('file');
    if (!ORT_FILE.test(name))
      return c.json({ error: { code: 'NOT_FOUND', message: `no file ${name}` } }, 404);
    const type = name.endsWith('.wasm') ? CONTENT_TYPE.wasm : CONTENT_TYPE.js;
    return files.serve(c, `ort/${name}`, type, 'public, max-age=86400');
  });
}
