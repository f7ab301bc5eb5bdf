import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Locates one of the real datasets that sit beside the repository (never inside it):
 * `$HEARTLINE_SHARED_DATA/<name>` when that variable is set, else `<repo>/../shared/data/<name>`.
 * Returns undefined when the folder is absent, so tests and benchmarks can skip with a clear message.
 */
export function sharedDataDir(name: string): string | undefined {
  const base = process.env['HEARTLINE_SHARED_DATA'] ?? join(repoRoot, '..', 'shared', 'data');
  const dir = join(base, name);
  return existsSync(dir) ? dir : undefined;
}

/** The message tests print when a shared dataset is absent. */
export function missingDataMessage(name: string): string {
  return `skipped: real dataset '${name}' not found (set HEARTLINE_SHARED_DATA or place it at ../shared/data/${name})`;
}
