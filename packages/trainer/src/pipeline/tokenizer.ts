/** The tokenizer step of a pretraining release. */
import { CLASS_PROMPTS, trainWordPiece, type WordPieceTokenizer } from '@heartline/model/text';
import type { ExampleSet } from '../data/example-set.js';

/** Word pieces of a release's vocabulary. */
const VOCAB_SIZE = 2000;

/**
 * Learns WordPiece from the training reports, every report text of the report-only sources (`corpus`:
 * more real reports than are paired) and the class prompts, so prompts never hit [UNK].
 */
export function learnTokenizer(
  train: ExampleSet,
  log: (line: string) => void,
  corpus: readonly string[] = [],
): WordPieceTokenizer {
  const promptTexts = Object.values(CLASS_PROMPTS).flatMap((p) => [...p.en, ...p.de]);
  const tokenizer = trainWordPiece([...train.reportKeys, ...corpus, ...promptTexts], {
    vocabSize: VOCAB_SIZE,
  });
  log(`tokenizer: ${tokenizer.vocabSize} word pieces`);
  return tokenizer;
}
