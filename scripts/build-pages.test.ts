import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDashboard, buildDevicePage, bundlePage, ORT_FILES } from './build-pages.js';

describe('bundlePage', () => {
  it('bundles a TypeScript entry with a workspace import into one browser script', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hl-bundle-'));
    const entry = join(dir, 'page.ts');
    await writeFile(
      entry,
      "import { TOPICS } from '@heartline/contract';\nexport const topic: string = TOPICS.embedding('abc');\n",
    );
    await bundlePage(entry, join(dir, 'out'), 'page');
    const js = await readFile(join(dir, 'out', 'page.js'), 'utf8');
    expect(js).toContain('hl/v1/dev/');
    expect(js).not.toMatch(/\bimport\s*[{*]/);
  });

  it('rejects an entry that does not compile, naming the problem', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hl-bundle-'));
    const entry = join(dir, 'broken.ts');
    await writeFile(entry, "import { nothing } from './missing-module.js';\nconsole.log(nothing);\n");
    await expect(bundlePage(entry, join(dir, 'out'), 'broken')).rejects.toThrow(/missing-module/);
  });
});

describe('buildDevicePage', () => {
  it('writes the page, its script and stylesheet, and the onnxruntime-web files the script loads', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'hl-device-page-')), 'device');
    await buildDevicePage(out);
    expect((await readdir(out)).sort()).toEqual(['app.css', 'app.js', 'index.html', 'ort']);
    expect((await readdir(join(out, 'ort'))).sort()).toEqual([...ORT_FILES].sort());
    // Every runtime file the bundled script names is one that was copied.
    const js = await readFile(join(out, 'app.js'), 'utf8');
    const named = new Set(js.match(/ort-wasm-simd-threaded[\w.]*\.(?:wasm|mjs)/g));
    expect([...named].every((f) => (ORT_FILES as readonly string[]).includes(f))).toBe(true);
    expect(await readFile(join(out, 'index.html'), 'utf8')).toContain('./app.css');
  });
});

describe('buildDashboard', () => {
  it("bundles the dashboard into one script with no imports left, and its CSS with uPlot's", async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'hl-dashboard-')), 'dashboard');
    await buildDashboard(out);
    const code = await readFile(join(out, 'dashboard.js'), 'utf8');
    expect(code).toContain('Access token');
    expect(code).not.toMatch(/\bimport\s*[{*]/);
    const css = await readFile(join(out, 'dashboard.css'), 'utf8');
    expect(css).toContain('.bar-fill');
    // uPlot's own stylesheet comes along through the chart module.
    expect(css).toContain('.uplot');
  });
});
