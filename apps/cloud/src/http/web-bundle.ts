/**
 * Browser bundles for the pages the cloud serves (the dashboard at `/`, the browser device at `/device/`):
 * a TypeScript entry bundled with esbuild in memory on first request, then cached for the process's life.
 * Workspace packages resolve through their `source` export condition, as they do under tsx.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The cloud package's dependencies: where page imports resolve when the entry's own folder has none. */
const CLOUD_NODE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));

/** A bundled page script and its stylesheet (empty when the entry imports no CSS). */
export interface WebBundle {
  readonly js: string;
  readonly css: string;
}

const cache = new Map<string, Promise<WebBundle>>();

async function bundle(entry: string): Promise<WebBundle> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source', 'browser'],
    nodePaths: [CLOUD_NODE_MODULES],
    minify: true,
    sourcemap: false,
    outdir: 'out',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'))?.text ?? '';
  const css = result.outputFiles.find((f) => f.path.endsWith('.css'))?.text ?? '';
  return { js, css };
}

/** The bundle of `entry` (absolute path of a `.ts` file), built once per process. */
export function webBundle(entry: string): Promise<WebBundle> {
  let pending = cache.get(entry);
  if (!pending) {
    pending = bundle(entry);
    // A failed build is not cached: the next request retries (and reports the error again).
    pending.catch(() => cache.delete(entry));
    cache.set(entry, pending);
  }
  return pending;
}
