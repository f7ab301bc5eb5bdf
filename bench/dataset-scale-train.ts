/**
 * The training half of the dataset-scale benchmark, in its own process so its peak RSS is training's
 * alone: `dataset-scale-train.ts CACHE_DIR STEPS PRESET` trains from the shard cache and prints one JSON
 * line with the figures.
 */
import { existsSync, readFileSync } from 'node:fs';
import { CONFIG_PRESETS, type ConfigPreset } from '@heartline/model/nn';
import { trainWordPiece } from '@heartline/model/text';
import { createShardBatchSource, openShardCache, selectBackend, train } from '@heartline/trainer';

const [cacheDir, stepsText, presetName] = process.argv.slice(2);
const steps = Number(stepsText);
const config = CONFIG_PRESETS[presetName as ConfigPreset];
if (!cacheDir || !config || !(steps > 0))
  throw new Error('usage: dataset-scale-train.ts CACHE_DIR STEPS PRESET');

await selectBackend('wasm');
const cache = openShardCache(cacheDir);
// The vocabulary comes from the first shard's reports: reading every report would grow with the archive.
const tokenizer = trainWordPiece(cache.readShardMeta(0).reportKeys, { vocabSize: config.vocabSize });
const batches = createShardBatchSource(cache, tokenizer, {
  batchSize: 32,
  maxTokens: config.maxTokens,
  seed: 'dataset-scale',
  spanProbability: 0.3,
});
const perEpoch = batches.batchesPerEpoch;
const t0 = performance.now();
const run = await train({
  config,
  seed: 'dataset-scale',
  mode: 'pretrain',
  steps,
  stepsPerEpoch: Math.min(steps, perEpoch),
  nextBatch: (step) => batches.batch(Math.floor(step / perEpoch), step % perEpoch),
});
const seconds = (performance.now() - t0) / 1000;
run.model.dispose();
// Linux only: the kernel's own high-water mark, a cross-check of maxRSS.
const status = '/proc/self/status';
const hwm = existsSync(status) ? /VmHWM:\s+(\d+) kB/.exec(readFileSync(status, 'utf8'))?.[1] : undefined;
process.stdout.write(
  `${JSON.stringify({
    examples: cache.size,
    steps,
    seconds,
    shardReads: batches.shardReads,
    finalLoss: run.stepLosses.at(-1)?.total,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    vmHwmMiB: hwm === undefined ? undefined : Number(hwm) / 1024,
  })}\n`,
);
