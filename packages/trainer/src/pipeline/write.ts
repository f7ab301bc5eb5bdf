/** The write step of a release, pretraining or align: a fresh id and creation time, then the directory. */
import type { WeightValue } from '@heartline/model/nn';
import { type ReleaseManifest, writeReleaseDir } from '../release/release-dir.js';

/** Everything of a release but what this step fills in (format, id, creation time, weights' hash). */
export interface ReleaseToWrite {
  /** Put in the id between its time stamp and random suffix, e.g. `demo`, `demo-no-stmm`, `align`. */
  readonly label: string;
  readonly manifest: Omit<ReleaseManifest, 'format' | 'formatVersion' | 'id' | 'created' | 'weights'>;
  readonly weights: Record<string, WeightValue>;
  readonly tokenizer: unknown;
  readonly metrics: unknown;
}

/** Writes the release directory `out` and returns its manifest. */
export async function writeRelease(out: string, release: ReleaseToWrite): Promise<ReleaseManifest> {
  const created = new Date();
  const id = `r${created.toISOString().replace(/[-:]/g, '').slice(0, 13)}-${release.label}-${Math.random().toString(16).slice(2, 6)}`;
  return writeReleaseDir(out, {
    manifest: {
      format: 'heartline-release',
      formatVersion: 1,
      id,
      created: created.toISOString(),
      ...release.manifest,
    },
    weights: release.weights,
    tokenizer: release.tokenizer,
    metrics: release.metrics,
  });
}
