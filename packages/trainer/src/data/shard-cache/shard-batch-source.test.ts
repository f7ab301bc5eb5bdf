import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset } from '@heartline/ecg/synth';
import type { PretrainBatch } from '@heartline/model/nn';
import { trainWordPiece } from '@heartline/model/text';
import { writeDataset } from '@heartline/node-io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShardCacheError } from '../../errors.js';
import { createBatchSource } from '../batches.js';
import type { ExampleSet } from '../example-set.js';
import { examplesFromPtbxlFolder } from '../from-ptbxl-folder.js';
import { buildShardCache } from './build-cache.js';
import { openShardCache, type ShardCache } from './open-cache.js';
import { ptbxlFolderSources } from './record-source.js';
import { createShardBatchSource } from './shard-batch-source.js';

const RECORDS = 40;
const SHARD_SIZE = 7; // six shards, the last one short
let root: string;
let archive: string;
let set: ExampleSet;
let cache: ShardCache;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'heartline-shard-batches-'));
  archive = join(root, 'archive');
  const files = generateDataset({ n: RECORDS, seed: 'shard-batches', rate: 100 });
  for (const path of files.keys()) if (path.includes('_hr.')) files.delete(path);
  await writeDataset(archive, files);
  // A partial copy: record 5 has no files, so both paths must skip it.
  await unlink(join(archive, 'records100/00000/00005_lr.hea'));
  set = (await examplesFromPtbxlFolder(archive, { source: 'synthetic' })).set;
  const sources = await ptbxlFolderSources(archive, { source: 'synthetic' });
  await buildShardCache(join(root, 'cache'), sources, { shardSize: SHARD_SIZE, workers: 2, chunkSize: 3 });
  cache = openShardCache(join(root, 'cache'));
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Largest |x − x̂| allowed per value: half an int16 step of its lead's peak, plus float32 rounding. */
function expectSameBatch(actual: PretrainBatch, expected: PretrainBatch): void {
  expect(actual.leadMask).toEqual(expected.leadMask);
  expect(actual.tokenIds).toEqual(expected.tokenIds);
  expect(actual.tokenMask).toEqual(expected.tokenMask);
  expect(actual.pairKey).toEqual(expected.pairKey);
  expect(actual.ecg.length).toBe(expected.ecg.length);
  for (let row = 0; row < expected.ecg.length / 1000; row++) {
    const want = expected.ecg.subarray(row * 1000, (row + 1) * 1000);
    const got = actual.ecg.subarray(row * 1000, (row + 1) * 1000);
    const peak = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const worst = want.reduce((m, v, i) => Math.max(m, Math.abs(v - got[i]!)), 0);
    expect(worst).toBeLessThanOrEqual(peak / 65534 + peak * 1e-7);
  }
}

describe('createShardBatchSource', () => {
  it('holds the examples of the in-memory reader, in order', () => {
    expect(cache.size).toBe(RECORDS - 1);
    expect(set.size).toBe(RECORDS - 1);
    expect(cache.shardSizes).toHaveLength(6);
    const ids = cache.shardSizes.flatMap((_, k) => cache.readShardMeta(k).ids);
    expect(ids).toEqual(set.ids);
  });

  it('serves the same batches as createBatchSource for a fixed seed when one window holds every shard', () => {
    const tokenizer = trainWordPiece(set.reportKeys, { vocabSize: 400, minFrequency: 1 });
    const options = { batchSize: 8, maxTokens: 24, seed: 'equal', spanProbability: 0.3 };
    const memory = createBatchSource(set, tokenizer, options);
    // Two decoded shards in memory of six: the batches must not depend on what is cached.
    const sharded = createShardBatchSource(cache, tokenizer, {
      ...options,
      shardsPerWindow: 6,
      cachedShards: 2,
    });
    expect(sharded.batchesPerEpoch).toBe(memory.batchesPerEpoch);
    for (const epoch of [0, 1, 4]) {
      for (let i = 0; i < memory.batchesPerEpoch; i++) {
        expectSameBatch(sharded.batch(epoch, i), memory.batch(epoch, i));
      }
    }
    // The comparison can fail: windows of two shards give another order, so other batches.
    const mixed = createShardBatchSource(cache, tokenizer, { ...options, shardsPerWindow: 2 });
    expect(mixed.batch(0, 0).pairKey).not.toEqual(memory.batch(0, 0).pairKey);
    const plain = { batchSize: 5, maxTokens: 24, seed: 3, shuffle: false };
    const validation = createShardBatchSource(cache, tokenizer, { ...plain, shardsPerWindow: 1 });
    expectSameBatch(validation.batch(0, 2), createBatchSource(set, tokenizer, plain).batch(0, 2));
  });

  it('reads each shard once per epoch with windows of two and mixes every example once', () => {
    const tokenizer = trainWordPiece(set.reportKeys, { vocabSize: 400, minFrequency: 1 });
    const source = createShardBatchSource(cache, tokenizer, {
      batchSize: 3,
      maxTokens: 16,
      seed: 9,
      shardsPerWindow: 2,
    });
    const pairKeys: number[] = [];
    for (let i = 0; i < source.batchesPerEpoch; i++) pairKeys.push(...source.batch(0, i).pairKey);
    expect(pairKeys).toHaveLength(RECORDS - 1);
    expect(source.shardReads).toBe(6);
    expect(source.batch(0, 3)).toEqual(source.batch(0, 3));
  });

  it('refuses a cache preprocessed with other options', () => {
    expect(() => openShardCache(join(root, 'cache'), { preprocess: { band: [1, 30] } })).toThrow(
      ShardCacheError,
    );
  });
});
