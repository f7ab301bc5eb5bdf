import { ReleaseError } from '@heartline/model/errors';
import { type CgDmerConfig, CgDmerModel, validateConfig } from '@heartline/model/nn';
import { WordPieceTokenizer } from '@heartline/model/text';
import { type ReleaseManifest, readReleaseDir } from './release/release-dir.js';

/** A release loaded into a TF.js model with its tokenizer. */
export interface LoadedRelease {
  readonly manifest: ReleaseManifest;
  readonly model: CgDmerModel;
  readonly tokenizer: WordPieceTokenizer;
  readonly metrics: unknown;
}

/** Reads, verifies and instantiates a release directory (the TF.js backend must already be selected). */
export async function loadRelease(dir: string): Promise<LoadedRelease> {
  const contents = await readReleaseDir(dir);
  let config: CgDmerConfig;
  try {
    config = validateConfig(contents.manifest.config as CgDmerConfig);
  } catch (cause) {
    throw new ReleaseError(dir, 'release.json holds an invalid model config', { cause });
  }
  const tokenizer = WordPieceTokenizer.fromJSON(contents.tokenizer, `${dir}/tokenizer.json`);
  const model = CgDmerModel.create(config, 0);
  try {
    model.setWeights(contents.weights);
  } catch (cause) {
    model.dispose();
    throw new ReleaseError(dir, 'weights do not fit the model config', { cause });
  }
  return { manifest: contents.manifest, model, tokenizer, metrics: contents.metrics };
}
