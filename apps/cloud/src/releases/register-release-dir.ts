import { resolve } from 'node:path';
import { STORABLE_ID } from '@heartline/contract';
import { ReleaseError } from '@heartline/model/errors';
import type { SqlDriver } from '../storage/driver.js';
import { type ReleaseRow, registerRelease } from '../storage/releases.js';
import { readReleaseDirFiles } from './release-files.js';

/**
 * Verifies a release directory (manifest, weight hashes) and registers it as live, its files stored in
 * the database for every instance (releases/release-files.ts); `dir` is recorded as where it came from.
 */
export async function registerReleaseDir(db: SqlDriver, dir: string): Promise<ReleaseRow> {
  const { manifest, files } = await readReleaseDirFiles(dir);
  // Devices name the release in every message, and its files are kept in a folder named after it.
  if (!STORABLE_ID.test(manifest.id)) {
    throw new ReleaseError(dir, `release id '${manifest.id}' is not 1–64 characters of [A-Za-z0-9._-]`);
  }
  const config = manifest.config as { ecgDim?: unknown; sharedDim?: unknown };
  const { ecgDim, sharedDim } = config;
  if (!Number.isInteger(ecgDim) || !Number.isInteger(sharedDim)) {
    throw new ReleaseError(dir, 'release.json config lacks integer ecgDim and sharedDim');
  }
  return registerRelease(db, {
    id: manifest.id,
    ecgDim: ecgDim as number,
    sharedDim: sharedDim as number,
    dir: resolve(dir),
    manifest,
    files,
  });
}
