import { resolve } from 'node:path';
import { ReleaseError } from '@heartline/model/errors';
import { readReleaseDir } from '@heartline/trainer';
import type { SqlDriver } from '../storage/driver.js';
import { type ReleaseRow, registerRelease } from '../storage/releases.js';

/** Verifies a release directory (manifest, weight hashes) and registers it as live. */
export async function registerReleaseDir(db: SqlDriver, dir: string): Promise<ReleaseRow> {
  const { manifest } = await readReleaseDir(dir);
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
  });
}
