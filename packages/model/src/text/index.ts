export type { ClassPrompts, ClassSetName, PromptLanguage } from './class-prompts.js';
export { CLASS_PROMPTS, CLASS_SETS, promptsFor } from './class-prompts.js';
export { preTokenize } from './pre-tokenize.js';
export {
  CLS_ID,
  CONTINUATION_PREFIX,
  MASK_ID,
  PAD_ID,
  SEP_ID,
  SPECIAL_TOKENS,
  UNK_ID,
} from './special-tokens.js';
export type { WordPieceJson, WordPieceTraining } from './wordpiece-json.js';
export type { EncodedBatch, EncodedText, WordPieceTokenizerOptions } from './wordpiece-tokenizer.js';
export { WordPieceTokenizer } from './wordpiece-tokenizer.js';
export type { WordPieceTrainerOptions } from './wordpiece-trainer.js';
export { trainWordPiece } from './wordpiece-trainer.js';
