/**
 * What the steps after the data step draw on, whether the examples are in memory (`readTrainingData`)
 * or mostly in a shard cache on disk (`readCachedTrainingData`): the tokenizer's texts, the pair stage's
 * batches, the self-supervised stage's ECGs, the validation set and the linear probe's training set.
 */
import type { CgDmerConfig, PretrainBatch } from '@heartline/model/nn';
import type { WordPieceTokenizer } from '@heartline/model/text';
import type { BatchSource } from '../data/batches.js';
import { type ExampleReader, exampleSetReader } from '../data/example-reader.js';
import type { ExampleSet } from '../data/example-set.js';
import type { TrainingRecipe } from '../recipes.js';
import { pretrainBatches, type TrainingData } from './data.js';
import { selfSupervisedExamples } from './self-supervised.js';

/** The examples of a run as the training, tokenizer and evaluation steps use them. */
export interface ReleaseInputs {
  /** Pair-stage training examples (`release.json` data.train). */
  readonly trainSize: number;
  readonly validation: ExampleSet;
  /** The linear probe's training set (in memory; a capped sample when the archive is cached). */
  readonly folderTrain: ExampleSet;
  /** ECGs without reports among the self-supervised stage's ECGs. */
  readonly withoutReports: number;
  /** Examples per source, for `release.json`. */
  readonly sources: Record<string, number>;
  /** The tokenizer learns from `train`'s report keys and `corpus`. */
  readonly tokenizerTexts: { readonly train: ExampleSet; readonly corpus: readonly string[] };
  /** The pair stage's batches and up to 4 fixed validation batches. */
  pairBatches(
    tokenizer: WordPieceTokenizer,
    config: CgDmerConfig,
    recipe: TrainingRecipe,
    seed: number,
  ): { batches: BatchSource; validation: PretrainBatch[] };
  /** The self-supervised stage's ECGs, made when called (not kept: in memory they are a copy). */
  selfSupervisedExamples(): ExampleReader;
}

/** The in-memory run: exactly the sets and batch sources a release has always been trained from. */
export function inMemoryInputs(data: TrainingData): ReleaseInputs {
  return {
    trainSize: data.train.size,
    validation: data.validation,
    folderTrain: data.folderTrain,
    withoutReports: data.unpaired.size,
    sources: data.sources,
    tokenizerTexts: { train: data.train, corpus: data.reportCorpus },
    pairBatches: (tokenizer, config, recipe, seed) => pretrainBatches(data, tokenizer, config, recipe, seed),
    selfSupervisedExamples: () => exampleSetReader(selfSupervisedExamples(data)),
  };
}
