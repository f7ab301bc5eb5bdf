/**
 * Where the real datasets sit: beside the repository, never inside it. This is the one place that knows:
 * benchmarks, which fall back to synthetic data, call {@link sharedDataDir}; tests call
 * {@link sharedDataForTest}, which says why it skips, and fails under CI, where the data is provided.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SharedDataMissingError } from './errors.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The folder holding the datasets: `$HEARTLINE_SHARED_DATA` when set, else `<repo>/../shared/data`. */
export function sharedDataRoot(): string {
  return process.env['HEARTLINE_SHARED_DATA'] || join(repoRoot, '..', 'shared', 'data');
}

/** `<root>/<name>` when that folder exists, else undefined. */
export function sharedDataDir(name: string): string | undefined {
  const dir = join(sharedDataRoot(), name);
  return existsSync(dir) ? dir : undefined;
}

/** Why dataset `name` is unavailable: the folder looked for and how to provide it. */
export function missingDataMessage(name: string): string {
  return (
    `real dataset '${name}' not found at ${join(sharedDataRoot(), name)} ` +
    `(set HEARTLINE_SHARED_DATA to the folder holding it, or place it at ../shared/data/${name} beside the repository)`
  );
}

/**
 * Whether this runs under CI (`CI` set to anything but '', 'false' or '0'), where everything a test
 * needs is provided, so a test helper fails instead of skipping.
 */
export function underCi(): boolean {
  const ci = process.env['CI'];
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

/**
 * For tests, at module level: the folder of dataset `name`, or undefined after printing why the tests
 * needing it are skipped. Under CI, where the datasets are provided beside the clone, a missing one
 * throws instead, so the test file fails rather than passing without having tested anything.
 */
export function sharedDataForTest(name: string): string | undefined {
  const dir = sharedDataDir(name);
  if (dir) return dir;
  if (underCi())
    throw new SharedDataMissingError(
      name,
      `CI: ${missingDataMessage(name)}; tests that need it must not be skipped here`,
    );
  console.warn(`skipping the tests that need it: ${missingDataMessage(name)}`);
  return undefined;
}
