/** The tokenizer step of a pretraining release. */
import { CLASS_PROMPTS, trainWordPiece, type WordPieceTokenizer } from '@heartline/model/text';
import type { ExampleSet } from '../data/example-set.js';

/** Word pieces of a release's vocabulary. */
const VOCAB_SIZE = 2000;

/** Learns WordPiece from the training reports plus the class prompts, so prompts never hit [UNK]. */
export function learnTokenizer(train: ExampleSet, log: (line: string) => void): WordPieceTokenizer {
  const promptTexts = Object.values(CLASS_PROMPTS).flatMap((p) => [...p.en, ...p.de]);
  const tokenizer = trainWordPiece([...train.reportKeys, ...promptTexts], { vocabSize: VOCAB_SIZE });
  log(`tokenizer: ${tokenizer.vocabSize} word pieces`);
  return tokenizer;
}
