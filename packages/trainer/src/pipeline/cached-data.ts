/**
 * The data step of a pretraining release trained from a shard cache (`heartline train --cache DIR`):
 * the training-fold records of the `--data` folders are preprocessed once, in worker threads, into one
 * shard cache per folder under the cache folder (resumed after a kill; reused as it is when its manifest
 * matches), and training reads them a few shards at a time, so memory is bounded by the shard LRUs, not
 * by the archive. What stays in memory: the validation folds' examples, the report texts (tokenizer
 * corpus), the recipe's synthetic ECGs and real reports paired with synthetic ECGs (bounded by the recipe,
 * quantised into in-memory shards that join the pair stage's cache), and the linear probe's training set,
 * a seeded sample of at most `probeLimit` cached pairs.
 */
import { createHash } from 'node:crypto';
import { basename, join, resolve } from 'node:path';
import { DatasetError } from '@heartline/ecg/errors';
import { readExamples, sampleIndices } from '../data/example-reader.js';
import { concatExamples, type ExampleSet } from '../data/example-set.js';
import { examplesFromPtbxlFolder } from '../data/from-ptbxl-folder.js';
import { syntheticExamples } from '../data/from-synthetic.js';
import { buildShardCache } from '../data/shard-cache/build-cache.js';
import { folderRecordSources } from '../data/shard-cache/folder-sources.js';
import { openShardCache } from '../data/shard-cache/open-cache.js';
import { createShardBatchSource } from '../data/shard-cache/shard-batch-source.js';
import { shardExampleReader } from '../data/shard-cache/shard-example-reader.js';
import { concatShardSources, type ShardSource, shardsOfExamples } from '../data/shard-cache/shard-source.js';
import { type DataOptions, READ_FOLDS, readPairedReports, splitByFold, validationBatches } from './data.js';
import type { ReleaseInputs } from './release-inputs.js';
import type { RunContext } from './run-context.js';

/** Options of {@link readCachedTrainingData}. */
export interface CachedDataOptions extends DataOptions {
  /** Folder of the shard caches (one subfolder per data folder and training folds). */
  readonly cacheDir: string;
  /** Cached pairs loaded for the linear probe's training set, at most. Default 2,000. */
  readonly probeLimit?: number;
  /** Stops the cache build between chunks (a rerun resumes it). */
  readonly signal?: AbortSignal;
}

/** The cache subfolder of one data folder's records of `folds`: its name, plus a hash of path and folds. */
export function folderCacheDir(cacheDir: string, dir: string, folds: readonly number[]): string {
  const hash = createHash('sha256')
    .update(`${resolve(dir)}\n${folds.join(',')}`)
    .digest('hex')
    .slice(0, 12);
  const name = basename(resolve(dir)).replace(/[^\w.-]/g, '_') || 'data';
  return join(cacheDir, `${name}-${hash}`);
}

/** Builds or reuses the caches and returns the run's inputs; see the file comment. */
export async function readCachedTrainingData(o: CachedDataOptions, run: RunContext): Promise<ReleaseInputs> {
  const { log, progress, seed } = run;
  const trainFolds = READ_FOLDS.filter((f) => !o.validationFolds.includes(f));
  const sources: Record<string, number> = {};
  const paired: ShardSource[] = [];
  const unpaired: ShardSource[] = [];
  const validationSets: ExampleSet[] = [];
  const reportCsvs: string[] = [...o.pairedReports];
  for (const dir of o.dataDirs) {
    const found = await folderRecordSources(dir, trainFolds);
    if (found.kind === 'ptbxl-reports') {
      log(`data: ${dir}: PTB-XL layout without waveforms (text side)`);
      reportCsvs.push(join(dir, 'ptbxl_database.csv'));
      continue;
    }
    const at = folderCacheDir(o.cacheDir, dir, found.kind === 'ptbxl' ? trainFolds : []);
    const built = await buildShardCache(at, found.sources, {
      onProgress: (d, t) => progress(`caching ${dir}`, d, t),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    const cache = openShardCache(at);
    log(
      `cache: ${dir}: ${cache.size} ECGs in ${built.manifest.shardCount} shards ` +
        `(${built.written} written, ${built.reused} reused, ${built.skipped} records without a usable window)`,
    );
    let validationSize = 0;
    if (found.kind === 'ptbxl') {
      const { set } = await examplesFromPtbxlFolder(dir, {
        folds: o.validationFolds,
        onProgress: (d, t) => progress(`reading ${dir} (validation folds)`, d, t),
      });
      validationSets.push(set);
      validationSize = set.size;
    }
    if (cache.size + validationSize === 0)
      throw new DatasetError(
        dir,
        found.kind === 'ptbxl'
          ? 'holds no record with a readable 100 Hz signal in folds 1–8'
          : 'holds no readable ECG of at least one 10 s window',
      );
    log(
      found.kind === 'ptbxl'
        ? `data: ${dir}: PTB-XL layout: ${cache.size} training ECGs with reports (cached), ${validationSize} validation (in memory)`
        : `data: ${dir}: ${found.kind} layout: ${cache.size} ECGs without reports (cached, self-supervised stage)`,
    );
    sources[dir] = cache.size + validationSize;
    (found.kind === 'ptbxl' ? paired : unpaired).push(cache);
  }
  let synthetic: { train: ExampleSet; validation: ExampleSet } | undefined;
  if (o.synthetic > 0) {
    const set = syntheticExamples({
      n: o.synthetic,
      seed,
      onProgress: (d, t) => progress('generating synthetic ECGs', d, t),
    });
    synthetic = splitByFold(set, o.validationFolds);
    sources['synthetic'] = o.synthetic;
    log(`data: ${o.synthetic} synthetic ECGs with reports (in memory)`);
  }
  const { pairedSets, reportCorpus } = await readPairedReports(reportCsvs, o, sources, run);
  const extras = concatExamples([...(synthetic ? [synthetic.train] : []), ...pairedSets]);
  const cachedPairs = concatShardSources(paired);
  const pairs = concatShardSources([cachedPairs, ...(extras.size > 0 ? [shardsOfExamples(extras)] : [])]);
  const validation = concatExamples([...validationSets, ...(synthetic ? [synthetic.validation] : [])]);
  const where = o.dataDirs.join(', ') || 'synthetic';
  if (pairs.size === 0)
    throw new DatasetError(where, 'no training examples: give --data or use a preset with synthetic data');
  if (validation.size === 0)
    throw new DatasetError(where, `no examples in validation folds ${o.validationFolds.join(', ')}`);
  log(
    `split: ${pairs.size} training (${cachedPairs.size} cached), ${validation.size} validation examples (folds ${o.validationFolds.join(', ')})`,
  );

  // The report texts of the cached pairs, read from the shards' metadata heads: strings, fine in memory.
  const cachedReportKeys = cachedPairs.shardSizes.flatMap((n, k) =>
    n > 0 ? cachedPairs.readShardMeta(k).reportKeys : [],
  );
  const probeLimit = o.probeLimit ?? 2000;
  const pairReader = shardExampleReader(cachedPairs);
  const probeIndices = sampleIndices(pairReader.size, probeLimit, `probe:${seed}`);
  if (probeIndices.length < pairReader.size)
    log(
      `evaluation: linear probe trained on a seeded sample of ${probeIndices.length} of ${pairReader.size} cached pairs (cap ${probeLimit})`,
    );
  const folderTrain = concatExamples([
    readExamples(pairReader, probeIndices),
    ...(synthetic ? [synthetic.train] : []),
  ]);
  const unpairedSize = unpaired.reduce((a, c) => a + c.size, 0);
  return {
    trainSize: pairs.size,
    validation,
    folderTrain,
    withoutReports: unpairedSize,
    sources,
    tokenizerTexts: { train: extras, corpus: [...cachedReportKeys, ...reportCorpus] },
    pairBatches(tokenizer, config, recipe, batchSeed) {
      const batchSize = Math.min(recipe.batchSize, pairs.size);
      const batches = createShardBatchSource(pairs, tokenizer, {
        batchSize,
        maxTokens: config.maxTokens,
        seed: batchSeed,
        spanProbability: recipe.spanProbability,
      });
      return { batches, validation: validationBatches(validation, tokenizer, config, batchSize, batchSeed) };
    },
    // Every cached ECG, with or without a report; the recipe's synthetic ECGs are left out, as in memory.
    selfSupervisedExamples: () => shardExampleReader(concatShardSources([...unpaired, ...paired])),
  };
}
