import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ReleaseError } from '@heartline/model/errors';
import { type PackedWeightEntry, packWeights, unpackWeights } from '@heartline/model/release';
import type { TrainState } from '../train-loop.js';

/** Files of a training checkpoint inside the output directory. */
const CHECKPOINT_DIR = 'checkpoint';
const META = 'state.json';
const TENSORS = 'tensors.bin';

interface CheckpointMeta {
  readonly format: 'heartline-checkpoint';
  readonly step: number;
  readonly optimizerStep: number;
  readonly staleEpochs: number;
  readonly best?: { readonly loss: number; readonly epoch: number };
  /** Anything the caller needs to resume consistently (seed, data summary, tokenizer…). */
  readonly context: unknown;
  readonly index: PackedWeightEntry[];
}

/**
 * Saves a resumable training state: weights, Adam moments and best-so-far weights in one packed float32
 * file, step counters in JSON; written to temporary names and renamed, so a crash mid-write leaves the
 * previous checkpoint intact.
 */
export async function saveCheckpoint(outDir: string, state: TrainState, context: unknown): Promise<void> {
  const dir = join(outDir, CHECKPOINT_DIR);
  await mkdir(dir, { recursive: true });
  const tensors: Record<string, { shape: readonly number[]; values: Float32Array }> = {};
  for (const [name, w] of Object.entries(state.weights)) tensors[`w:${name}`] = w;
  for (const [name, m] of Object.entries(state.optimizer.m))
    tensors[`m:${name}`] = { shape: [m.length], values: m };
  for (const [name, v] of Object.entries(state.optimizer.v))
    tensors[`v:${name}`] = { shape: [v.length], values: v };
  if (state.best) for (const [name, w] of Object.entries(state.best.weights)) tensors[`b:${name}`] = w;
  const { index, bytes } = packWeights(tensors);
  const meta: CheckpointMeta = {
    format: 'heartline-checkpoint',
    step: state.step,
    optimizerStep: state.optimizer.step,
    staleEpochs: state.staleEpochs,
    ...(state.best ? { best: { loss: state.best.loss, epoch: state.best.epoch } } : {}),
    context,
    index,
  };
  await writeFile(join(dir, `${TENSORS}.tmp`), bytes);
  await writeFile(join(dir, `${META}.tmp`), JSON.stringify(meta));
  await rename(join(dir, `${TENSORS}.tmp`), join(dir, TENSORS));
  await rename(join(dir, `${META}.tmp`), join(dir, META));
}

/** Loads the checkpoint in `outDir`, or undefined when there is none. */
export async function loadCheckpoint(
  outDir: string,
): Promise<{ state: TrainState; context: unknown } | undefined> {
  const dir = join(outDir, CHECKPOINT_DIR);
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(await readFile(join(dir, META), 'utf8')) as CheckpointMeta;
  } catch {
    return undefined;
  }
  if (meta.format !== 'heartline-checkpoint')
    throw new ReleaseError(join(dir, META), 'is not a heartline checkpoint');
  const tensors = unpackWeights(meta.index, new Uint8Array(await readFile(join(dir, TENSORS))));
  const pick = (prefix: string) =>
    Object.fromEntries(
      Object.entries(tensors)
        .filter(([k]) => k.startsWith(prefix))
        .map(([k, v]) => [k.slice(prefix.length), v]),
    );
  const vectors = (prefix: string) =>
    Object.fromEntries(Object.entries(pick(prefix)).map(([k, v]) => [k, v.values]));
  const bestWeights = pick('b:');
  const state: TrainState = {
    step: meta.step,
    weights: pick('w:'),
    optimizer: { step: meta.optimizerStep, m: vectors('m:'), v: vectors('v:') },
    staleEpochs: meta.staleEpochs,
    ...(meta.best ? { best: { ...meta.best, weights: bestWeights } } : {}),
  };
  return { state, context: meta.context };
}
