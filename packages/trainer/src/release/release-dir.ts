import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ReleaseError } from '@heartline/model/errors';
import { type PackedWeightEntry, packWeights, unpackWeights, type WeightMap } from '@heartline/model/release';

/** The files of a release directory, by role. */
export const RELEASE_FILES = {
  manifest: 'release.json',
  weights: 'weights.bin',
  weightsIndex: 'weights.json',
  tokenizer: 'tokenizer.json',
  metrics: 'metrics.json',
  trainingLog: 'training-log.jsonl',
} as const;

/** `release.json`: what a release is, how it was made, and the hash of its weights. */
export interface ReleaseManifest {
  readonly format: 'heartline-release';
  readonly formatVersion: 1;
  /** Unique, sortable id, e.g. `r20261125-0731-demo-3f2a`. */
  readonly id: string;
  readonly created: string;
  readonly mode: 'pretrain' | 'align';
  readonly preset: string;
  /** The model configuration (CgDmerConfig). */
  readonly config: unknown;
  /** The preprocessing options every input must go through (device and cloud alike). */
  readonly preprocessing: unknown;
  /** What it was trained on: sources and counts. */
  readonly data: unknown;
  /** The release it was aligned from (align mode). */
  readonly parent?: string;
  readonly weights: { readonly file: string; readonly bytes: number; readonly sha256: string };
}

/** Everything a release holds, in memory. */
export interface ReleaseContents {
  readonly manifest: ReleaseManifest;
  readonly weights: WeightMap;
  readonly tokenizer: unknown;
  readonly metrics: unknown;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function writeAtomically(path: string, data: string | Uint8Array): Promise<void> {
  await writeFile(`${path}.tmp`, data);
  await rename(`${path}.tmp`, path);
}

/**
 * Writes a release directory: weights (packed float32 + index, sha256 in the manifest), tokenizer,
 * metrics and `release.json` last, so a directory with a manifest is always complete.
 */
export async function writeReleaseDir(
  dir: string,
  release: Omit<ReleaseContents, 'manifest'> & { manifest: Omit<ReleaseManifest, 'weights'> },
): Promise<ReleaseManifest> {
  await mkdir(dir, { recursive: true });
  const { index, bytes } = packWeights(release.weights);
  await writeAtomically(join(dir, RELEASE_FILES.weights), bytes);
  await writeAtomically(join(dir, RELEASE_FILES.weightsIndex), `${JSON.stringify(index)}\n`);
  await writeAtomically(join(dir, RELEASE_FILES.tokenizer), `${JSON.stringify(release.tokenizer)}\n`);
  await writeAtomically(join(dir, RELEASE_FILES.metrics), `${JSON.stringify(release.metrics, null, 2)}\n`);
  const manifest: ReleaseManifest = {
    ...release.manifest,
    weights: { file: RELEASE_FILES.weights, bytes: bytes.byteLength, sha256: sha256(bytes) },
  };
  await writeAtomically(join(dir, RELEASE_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

async function readJson(dir: string, file: string): Promise<unknown> {
  const path = join(dir, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ReleaseError(
      dir,
      `missing ${file}: is this a release directory (written by \`heartline train\`)?`,
      {
        cause,
      },
    );
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ReleaseError(path, 'is not valid JSON', { cause });
  }
}

/** Reads and verifies a release directory: manifest format, weight size and sha256, index bounds. */
export async function readReleaseDir(dir: string): Promise<ReleaseContents> {
  const manifest = (await readJson(dir, RELEASE_FILES.manifest)) as ReleaseManifest;
  if (manifest?.format !== 'heartline-release' || manifest.formatVersion !== 1) {
    throw new ReleaseError(
      join(dir, RELEASE_FILES.manifest),
      'is not a heartline release manifest (format 1)',
    );
  }
  const bytes = new Uint8Array(await readFile(join(dir, manifest.weights.file)));
  if (bytes.byteLength !== manifest.weights.bytes || sha256(bytes) !== manifest.weights.sha256) {
    throw new ReleaseError(
      join(dir, manifest.weights.file),
      `does not match the manifest (${bytes.byteLength} bytes, expected ${manifest.weights.bytes} with sha256 ${manifest.weights.sha256.slice(0, 12)}…): the file is corrupt or was replaced`,
    );
  }
  const index = (await readJson(dir, RELEASE_FILES.weightsIndex)) as PackedWeightEntry[];
  let weights: WeightMap;
  try {
    weights = unpackWeights(index, bytes);
  } catch (cause) {
    throw new ReleaseError(join(dir, RELEASE_FILES.weightsIndex), 'does not fit the weights file', { cause });
  }
  return {
    manifest,
    weights,
    tokenizer: await readJson(dir, RELEASE_FILES.tokenizer),
    metrics: await readJson(dir, RELEASE_FILES.metrics),
  };
}
