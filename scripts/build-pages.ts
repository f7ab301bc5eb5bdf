/**
 * Build step of the workspace (run by `pnpm build` after `tsc -b`): bundles the two browser pages into
 * static folders of the apps they belong to, so no running process bundles anything or reads another
 * app's sources:
 *
 * - the dashboard, from `apps/cloud/web/dashboard.ts`, into `apps/cloud/dist/web/dashboard/`
 *   (`dashboard.js`, `dashboard.css`), which the cloud serves at `/`;
 * - the browser device page, from `apps/device/web/main.ts`, into `apps/device/dist/web/` (`index.html`,
 *   `app.js`, `app.css`, onnxruntime-web's wasm runtime under `ort/`). The device package names that
 *   folder (`DEVICE_PAGE_DIR`); whoever starts a cloud (the CLI) hands it over, and the cloud serves it at
 *   `/device/`.
 *
 * Workspace packages resolve through their `source` export condition, so the pages need no `tsc` first.
 * `tsx scripts/build-pages.ts` runs it alone.
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLOUD_DIR = join(ROOT, 'apps/cloud');
const DEVICE_WEB_DIR = join(ROOT, 'apps/device/web');

/** Where the dashboard goes; the cloud serves it from here. */
export const DASHBOARD_OUT_DIR = join(CLOUD_DIR, 'dist/web/dashboard');
/** Where the device page goes (the device package's `DEVICE_PAGE_DIR`). */
export const DEVICE_PAGE_OUT_DIR = join(ROOT, 'apps/device/dist/web');

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

/** Replaces both pages' folders with freshly built ones. */
export async function buildPages(): Promise<void> {
  await Promise.all([
    rm(DASHBOARD_OUT_DIR, { recursive: true, force: true }),
    rm(DEVICE_PAGE_OUT_DIR, { recursive: true, force: true }),
  ]);
  await Promise.all([buildDashboard(DASHBOARD_OUT_DIR), buildDevicePage(DEVICE_PAGE_OUT_DIR)]);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  buildPages().then(
    () => {
      const ms = Math.round(performance.now() - started);
      console.log(
        `build-pages: dashboard in ${relative(process.cwd(), DASHBOARD_OUT_DIR)}, device page in ${relative(process.cwd(), DEVICE_PAGE_OUT_DIR)} (${ms} ms)`,
      );
    },
    (error: unknown) => {
      console.error(`build-pages: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
