import { TokenizerError } from '../errors.js';
import { CONTINUATION_PREFIX, SPECIAL_TOKENS } from './special-tokens.js';

/** How a vocabulary was learned (kept in the JSON so a release says how its tokenizer was made). */
export interface WordPieceTraining {
  /** Requested vocabulary size (the result can be smaller when the corpus runs out of merges). */
  readonly vocabSize: number;
  /** Minimum count of a character or a merged pair. */
  readonly minFrequency: number;
  /** Merge rule: WordPiece likelihood score or plain pair frequency (BPE-style). */
  readonly scoring: 'likelihood' | 'frequency';
  /** Distinct words and total words seen in the training corpus. */
  readonly distinctWords: number;
  readonly totalWords: number;
}

/** Version 1 of heartline's tokenizer file. Keys are written in this order, so the JSON is stable. */
export interface WordPieceJson {
  readonly format: 'heartline-wordpiece';
  readonly version: 1;
  /** Text normaliser applied before splitting: `normaliseReportText` of the data layer. */
  readonly normaliser: 'report-text';
  readonly continuationPrefix: '##';
  readonly maxInputCharsPerWord: number;
  readonly specialTokens: readonly string[];
  /** Index = token id. */
  readonly vocab: readonly string[];
  readonly training?: WordPieceTraining;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a parsed (or string) tokenizer JSON; every defect throws {@link TokenizerError} naming it. */
export function parseWordPieceJson(input: unknown, source: string): WordPieceJson {
  let json = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch (cause) {
      throw new TokenizerError(source, 'is not valid JSON', { cause });
    }
  }
  const fail = (detail: string): never => {
    throw new TokenizerError(source, detail);
  };
  if (!isRecord(json)) return fail('must be a JSON object');
  if (json['format'] !== 'heartline-wordpiece')
    fail(`format is ${JSON.stringify(json['format'])}; expected "heartline-wordpiece"`);
  if (json['version'] !== 1)
    fail(`version ${JSON.stringify(json['version'])} is not supported; this build reads version 1`);
  if (json['normaliser'] !== 'report-text')
    fail(`normaliser ${JSON.stringify(json['normaliser'])} is unknown; expected "report-text"`);
  if (json['continuationPrefix'] !== CONTINUATION_PREFIX)
    fail(`continuationPrefix ${JSON.stringify(json['continuationPrefix'])} is unsupported; expected "##"`);
  const maxChars = json['maxInputCharsPerWord'];
  if (typeof maxChars !== 'number' || !Number.isInteger(maxChars) || maxChars < 1)
    fail(`maxInputCharsPerWord ${JSON.stringify(maxChars)} must be an integer ≥ 1`);
  const specials = json['specialTokens'];
  if (!Array.isArray(specials) || specials.join('\u0000') !== SPECIAL_TOKENS.join('\u0000'))
    fail(`specialTokens ${JSON.stringify(specials)} must be ${JSON.stringify(SPECIAL_TOKENS)}`);
  const vocab = json['vocab'];
  if (!Array.isArray(vocab)) return fail('vocab must be an array of strings');
  const seen = new Set<string>();
  vocab.forEach((token: unknown, id) => {
    if (typeof token !== 'string') fail(`vocab[${id}] is ${JSON.stringify(token)}; expected a string`);
    const text = token as string;
    if (id < SPECIAL_TOKENS.length && text !== SPECIAL_TOKENS[id])
      fail(`vocab[${id}] is ${JSON.stringify(text)}; expected the special token ${SPECIAL_TOKENS[id]}`);
    const body = text.startsWith(CONTINUATION_PREFIX) ? text.slice(CONTINUATION_PREFIX.length) : text;
    if (body === '' || /\s/u.test(text))
      fail(`vocab[${id}] ${JSON.stringify(text)} is empty or holds whitespace`);
    if (seen.has(text)) fail(`vocab[${id}] ${JSON.stringify(text)} is a duplicate`);
    seen.add(text);
  });
  if (vocab.length <= SPECIAL_TOKENS.length) fail('vocab holds no tokens besides the special tokens');
  const result: WordPieceJson = {
    format: 'heartline-wordpiece',
    version: 1,
    normaliser: 'report-text',
    continuationPrefix: CONTINUATION_PREFIX,
    maxInputCharsPerWord: maxChars as number,
    specialTokens: [...SPECIAL_TOKENS],
    vocab: vocab as string[],
  };
  const training = json['training'];
  if (training === undefined) return result;
  if (!isRecord(training)) return fail('training must be an object when present');
  const { vocabSize, minFrequency, scoring, distinctWords, totalWords } = training;
  const counts = { vocabSize, minFrequency, distinctWords, totalWords };
  for (const [name, value] of Object.entries(counts))
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
      fail(`training.${name} ${JSON.stringify(value)} must be a non-negative integer`);
  if (scoring !== 'likelihood' && scoring !== 'frequency')
    return fail(`training.scoring ${JSON.stringify(scoring)} must be "likelihood" or "frequency"`);
  const n = counts as Record<keyof typeof counts, number>;
  return { ...result, training: orderedTraining({ ...n, scoring }) };
}

/** The training record with its keys in the file's fixed order (so the JSON is byte-stable). */
export function orderedTraining(t: WordPieceTraining): WordPieceTraining {
  return {
    vocabSize: t.vocabSize,
    minFrequency: t.minFrequency,
    scoring: t.scoring,
    distinctWords: t.distinctWords,
    totalWords: t.totalWords,
  };
}
