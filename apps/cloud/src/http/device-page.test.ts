import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { mountDevicePage } from './device-page.js';

describe('mountDevicePage', () => {
  const app = new Hono();

  beforeAll(async () => {
    // A stand-in for the built page folder: the routes only serve files.
    const pageDir = await mkdtemp(join(tmpdir(), 'hl-device-page-'));
    await mkdir(join(pageDir, 'ort'), { recursive: true });
    await writeFile(join(pageDir, 'index.html'), '<!doctype html><title>device</title>');
    await writeFile(join(pageDir, 'app.js'), 'console.log(1);');
    await writeFile(join(pageDir, 'ort', 'ort-wasm-simd-threaded.wasm'), new Uint8Array([0, 97]));
    mountDevicePage(app, pageDir);
  });

  it('serves the page, its script and the wasm runtime with their content types', async () => {
    const page = await app.request('/device/');
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('<title>device</title>');
    expect((await app.request('/device/app.js')).headers.get('content-type')).toMatch(/javascript/);
    const wasm = await app.request('/device/ort/ort-wasm-simd-threaded.wasm');
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(new Uint8Array(await wasm.arrayBuffer())).toEqual(new Uint8Array([0, 97]));
  });

  it('redirects /device to /device/ and refuses files outside the runtime list', async () => {
    expect((await app.request('/device')).status).toBe(301);
    expect((await app.request('/device/ort/index.html')).status).toBe(404);
  });

  it('answers 503 for a file the build did not write', async () => {
    const response = await app.request('/device/app.css');
    expect(response.status).toBe(503);
  });
});
