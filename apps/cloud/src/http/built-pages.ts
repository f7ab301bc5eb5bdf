/**
 * The browser pages the cloud serves (its dashboard, and the browser device page it is given), as
 * `pnpm build` writes them (`scripts/build-pages.ts`): static files read once and kept in memory.
 * Nothing is bundled at run time.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from 'hono';

/**
 * The cloud's built pages' folder (the dashboard's `dashboard/`): `dist/web/` beside the compiled server;
 * when the server runs from its TypeScript sources (development, tests), the same folder as the last
 * `pnpm build` left it.
 */
export const BUILT_PAGES_DIR = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? '../../dist/web/' : '../web/', import.meta.url),
);

/** Files of one built page folder, each read on first request and then served from memory. */
export class BuiltPageFiles {
  private readonly files = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();

  /** `dir`: the page's folder (absolute). */
  constructor(readonly dir: string) {}

  /** Answers `name` (a file of the folder, path checked by the caller) with `type`, or 503 if unbuilt. */
  async serve(c: Context, name: string, type: string, cacheControl = 'no-cache'): Promise<Response> {
    let pending = this.files.get(name);
    if (!pending) {
      pending = readFile(join(this.dir, name)) as Promise<Uint8Array<ArrayBuffer>>;
      // A missing file is not cached: a later `pnpm build` fills it in.
      pending.catch(() => this.files.delete(name));
      this.files.set(name, pending);
    }
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = await pending;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const message = `${join(this.dir, name)} is missing: the pages are built by \`pnpm build\``;
      return c.json({ error: { code: 'PAGE_NOT_BUILT', message } }, 503);
    }
    return c.body(bytes, 200, { 'content-type': type, 'cache-control': cacheControl });
  }
}

/** Content types of the files the pages consist of. */
export const CONTENT_TYPE = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  wasm: 'application/wasm',
} as const;
