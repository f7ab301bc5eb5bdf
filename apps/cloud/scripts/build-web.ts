/**
 * Build step: bundles the pages the cloud serves into static folders under `apps/cloud/dist/web/`, so
 * the running cloud only reads files (no bundler, no other app's sources):
 *
 * - `dashboard/`: `dashboard.js` and `dashboard.css`, from `apps/cloud/web/dashboard.ts`;
 * - `device/`: the browser device page from the device app's `web/` folder (`index.html`, `app.js`,
 *   `app.css`) and onnxruntime-web's wasm runtime under `ort/`.
 *
 * Workspace packages resolve through their `source` export condition, so the pages need no `tsc` first.
 * Run by `pnpm build`; `tsx apps/cloud/scripts/build-web.ts [outDir]` runs it alone.
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const CLOUD_DIR = fileURLToPath(new URL('..', import.meta.url));
const DEVICE_WEB_DIR = resolve(CLOUD_DIR, '../device/web');

/** Where `pnpm build` writes the pages; the cloud serves them from here. */
export const DEFAULT_WEB_OUT_DIR = join(CLOUD_DIR, 'dist/web');

/**
 * onnxruntime-web's files the device page loads: the page imports `onnxruntime-web/wasm`, whose only
 * backend is this wasm binary and its ES module loader (the JSEP/JSPI/asyncify variants serve WebGPU and
 * WebNN, which the page does not use).
 */
export const ORT_FILES = ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs'] as const;

/**
 * Bundles the TypeScript `entry` (absolute path) for the browser into `outDir` as `<name>.js`, and
 * `<name>.css` when the entry imports CSS. Rejects with esbuild's message when the entry does not build.
 */
export async function bundlePage(entry: string, outDir: string, name: string): Promise<void> {
  await build({
    entryPoints: { [name]: entry },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source', 'browser'],
    // The cloud's dependencies (uPlot): where page imports resolve when the entry's own package has none.
    nodePaths: [join(CLOUD_DIR, 'node_modules')],
    minify: true,
    sourcemap: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
  });
}

/** Writes the dashboard's script and stylesheet to `outDir`. */
export async function buildDashboard(outDir: string): Promise<void> {
  await bundlePage(join(CLOUD_DIR, 'web/dashboard.ts'), outDir, 'dashboard');
}

/** Writes the browser device page to `outDir`: HTML, script, stylesheet and `ort/` wasm files. */
export async function buildDevicePage(outDir: string): Promise<void> {
  await bundlePage(join(DEVICE_WEB_DIR, 'main.ts'), outDir, 'app');
  await copyFile(join(DEVICE_WEB_DIR, 'index.html'), join(outDir, 'index.html'));
  // Resolved from the page's own folder: onnxruntime-web is the device app's dependency.
  const require = createRequire(join(DEVICE_WEB_DIR, 'main.ts'));
  const ortDir = dirname(require.resolve(`onnxruntime-web/${ORT_FILES[0]}`));
  await mkdir(join(outDir, 'ort'), { recursive: true });
  for (const file of ORT_FILES) await copyFile(join(ortDir, file), join(outDir, 'ort', file));
}

/** Replaces `outDir` with freshly built `dashboard/` and `device/` folders. */
export async function buildWeb(outDir: string = DEFAULT_WEB_OUT_DIR): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  await Promise.all([buildDashboard(join(outDir, 'dashboard')), buildDevicePage(join(outDir, 'device'))]);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = resolve(process.argv[2] ?? DEFAULT_WEB_OUT_DIR);
  const started = performance.now();
  buildWeb(outDir).then(
    () => {
      const ms = Math.round(performance.now() - started);
      console.log(`build-web: pages in ${relative(process.cwd(), outDir) || '.'} (${ms} ms)`);
    },
    (error: unknown) => {
      console.error(`build-web: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
