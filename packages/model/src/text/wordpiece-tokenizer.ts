import { InvalidArgumentError } from '../errors.js';
import { preTokenize } from './pre-tokenize.js';
import { CLS_ID, CONTINUATION_PREFIX, PAD_ID, SEP_ID, SPECIAL_TOKENS, UNK_ID } from './special-tokens.js';
import {
  orderedTraining,
  parseWordPieceJson,
  type WordPieceJson,
  type WordPieceTraining,
} from './wordpiece-json.js';

/** One encoded sequence: `[CLS] … [SEP]` then `[PAD]`s, exactly `maxLength` long. */
export interface EncodedText {
  /** Token ids, length `maxLength`. */
  readonly ids: Int32Array;
  /** 1 for real tokens (including `[CLS]`/`[SEP]`), 0 for padding. */
  readonly mask: Uint8Array;
}

/** A batch of encoded sequences, row-major `batchSize × maxLength`. */
export interface EncodedBatch {
  readonly ids: Int32Array;
  readonly mask: Uint8Array;
  readonly batchSize: number;
  readonly maxLength: number;
}

/** Options of {@link WordPieceTokenizer}. */
export interface WordPieceTokenizerOptions {
  /** Words longer than this many UTF-16 units become one `[UNK]` (BERT's guard). Default 100, range ≥ 1. */
  readonly maxInputCharsPerWord?: number;
  /** How the vocabulary was learned; stored in the JSON for provenance only. */
  readonly training?: WordPieceTraining;
}

// Reports repeat a few hundred words endlessly, so caching each word's pieces makes encoding a Map hit.
const WORD_CACHE_LIMIT = 50_000;

/**
 * BERT-style WordPiece tokenizer over a fixed vocabulary: text is pre-tokenised (normalised, split on
 * whitespace and punctuation), each word is split greedily longest-match-first into pieces, pieces after
 * the first carry the `##` prefix. A character the vocabulary cannot spell becomes one `[UNK]` and the
 * rest of the word is still matched (BERT would drop the whole word to `[UNK]`; a lone odd character in
 * a report should not erase a diagnosis word).
 */
export class WordPieceTokenizer {
  readonly maxInputCharsPerWord: number;
  readonly training: WordPieceTraining | undefined;
  readonly #vocab: readonly string[];
  readonly #ids = new Map<string, number>();
  readonly #maxPieceLength: number;
  readonly #wordCache = new Map<string, readonly number[]>();

  /** Builds a tokenizer from a vocabulary whose first entries are {@link SPECIAL_TOKENS}. */
  constructor(vocab: readonly string[], options: WordPieceTokenizerOptions = {}) {
    const maxChars = options.maxInputCharsPerWord ?? 100;
    if (!Number.isInteger(maxChars) || maxChars < 1)
      throw new InvalidArgumentError('maxInputCharsPerWord', maxChars, 'must be an integer ≥ 1');
    SPECIAL_TOKENS.forEach((token, id) => {
      if (vocab[id] !== token)
        throw new InvalidArgumentError(`vocab[${id}]`, vocab[id], `must be the special token ${token}`);
    });
    let maxPiece = 1;
    vocab.forEach((token, id) => {
      if (this.#ids.has(token)) throw new InvalidArgumentError(`vocab[${id}]`, token, 'is a duplicate');
      this.#ids.set(token, id);
      const length = token.startsWith(CONTINUATION_PREFIX)
        ? token.length - CONTINUATION_PREFIX.length
        : token.length;
      if (id >= SPECIAL_TOKENS.length && length > maxPiece) maxPiece = length;
    });
    this.#vocab = [...vocab];
    this.#maxPieceLength = maxPiece;
    this.maxInputCharsPerWord = maxChars;
    this.training = options.training;
  }

  /** Loads a tokenizer saved by {@link toJSON} (a JSON string or the parsed object); throws `TokenizerError`. */
  static fromJSON(json: unknown, source = 'tokenizer.json'): WordPieceTokenizer {
    const parsed = parseWordPieceJson(json, source);
    const options: WordPieceTokenizerOptions = { maxInputCharsPerWord: parsed.maxInputCharsPerWord };
    return new WordPieceTokenizer(
      parsed.vocab,
      parsed.training ? { ...options, training: parsed.training } : options,
    );
  }

  /** Number of tokens in the vocabulary, special tokens included. */
  get vocabSize(): number {
    return this.#vocab.length;
  }

  /** The vocabulary; index = token id. */
  get vocab(): readonly string[] {
    return this.#vocab;
  }

  /** Id of a token string (pieces carry their `##`), or undefined when it is not in the vocabulary. */
  idOf(token: string): number | undefined {
    return this.#ids.get(token);
  }

  /** Token string of an id; throws `InvalidArgumentError` for an id outside the vocabulary. */
  tokenOf(id: number): string {
    const token = this.#vocab[id];
    if (token === undefined)
      throw new InvalidArgumentError('id', id, `must be an integer in [0, ${this.#vocab.length})`);
    return token;
  }

  /** The WordPiece token ids of a text, without `[CLS]`/`[SEP]` or padding. */
  tokenIds(text: string): number[] {
    const out: number[] = [];
    for (const word of preTokenize(text)) for (const id of this.#wordIds(word)) out.push(id);
    return out;
  }

  /** The WordPiece token strings of a text (for inspection and tests). */
  tokenize(text: string): string[] {
    return this.tokenIds(text).map((id) => this.#vocab[id]!);
  }

  /** Encodes one text as `[CLS] pieces… [SEP] [PAD]…`, truncating the pieces to fit `maxLength`. */
  encode(text: string, maxLength: number): EncodedText {
    checkMaxLength(maxLength);
    const ids = new Int32Array(maxLength);
    const mask = new Uint8Array(maxLength);
    this.#encodeInto(text, maxLength, ids, mask, 0);
    return { ids, mask };
  }

  /** Encodes texts into one flat row-major `texts.length × maxLength` batch. */
  encodeBatch(texts: readonly string[], maxLength: number): EncodedBatch {
    checkMaxLength(maxLength);
    const ids = new Int32Array(texts.length * maxLength);
    const mask = new Uint8Array(texts.length * maxLength);
    texts.forEach((text, row) => {
      this.#encodeInto(text, maxLength, ids, mask, row * maxLength);
    });
    return { ids, mask, batchSize: texts.length, maxLength };
  }

  /**
   * Turns ids back into text: `##` pieces join the previous piece, other pieces are separated by a space
   * (so punctuation comes back space-separated: `st - hebung`). Special tokens are dropped unless
   * `keepSpecial` is set.
   */
  decode(ids: ArrayLike<number>, options: { keepSpecial?: boolean } = {}): string {
    let out = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const token = this.tokenOf(id);
      if (id < SPECIAL_TOKENS.length && !options.keepSpecial) continue;
      if (token.startsWith(CONTINUATION_PREFIX) && out !== '') out += token.slice(CONTINUATION_PREFIX.length);
      else out += out === '' ? token : ` ${token}`;
    }
    return out;
  }

  /** The versioned JSON form; `JSON.stringify` of it is byte-for-byte stable for one vocabulary. */
  toJSON(): WordPieceJson {
    const json: WordPieceJson = {
      format: 'heartline-wordpiece',
      version: 1,
      normaliser: 'report-text',
      continuationPrefix: CONTINUATION_PREFIX,
      maxInputCharsPerWord: this.maxInputCharsPerWord,
      specialTokens: [...SPECIAL_TOKENS],
      vocab: [...this.#vocab],
    };
    return this.training ? { ...json, training: orderedTraining(this.training) } : json;
  }

  #encodeInto(text: string, maxLength: number, ids: Int32Array, mask: Uint8Array, offset: number): void {
    ids[offset] = CLS_ID;
    mask[offset] = 1;
    let at = 1;
    const last = maxLength - 1;
    outer: for (const word of preTokenize(text)) {
      for (const id of this.#wordIds(word)) {
        if (at >= last) break outer;
        ids[offset + at] = id;
        mask[offset + at] = 1;
        at++;
      }
    }
    ids[offset + at] = SEP_ID;
    mask[offset + at] = 1;
    for (let i = at + 1; i < maxLength; i++) ids[offset + i] = PAD_ID;
  }

  #wordIds(word: string): readonly number[] {
    const cached = this.#wordCache.get(word);
    if (cached) return cached;
    const pieces = this.#splitWord(word);
    if (this.#wordCache.size >= WORD_CACHE_LIMIT) this.#wordCache.clear();
    this.#wordCache.set(word, pieces);
    return pieces;
  }

  // Greedy longest-match-first: at each position try the longest candidate the vocabulary could hold,
  // shrinking one unit at a time; every candidate is one Map lookup.
  #splitWord(word: string): number[] {
    if (word.length > this.maxInputCharsPerWord) return [UNK_ID];
    const out: number[] = [];
    let start = 0;
    while (start < word.length) {
      let end = Math.min(word.length, start + this.#maxPieceLength);
      let found = -1;
      for (; end > start; end--) {
        const piece = word.slice(start, end);
        const id = this.#ids.get(start === 0 ? piece : CONTINUATION_PREFIX + piece);
        if (id !== undefined && id >= SPECIAL_TOKENS.length) {
          found = id;
          break;
        }
      }
      if (found >= 0) {
        out.push(found);
        start = end;
      } else {
        out.push(UNK_ID);
        // Skip one whole code point, never half a surrogate pair.
        start += (word.codePointAt(start) ?? 0) > 0xffff ? 2 : 1;
      }
    }
    return out;
  }
}

function checkMaxLength(maxLength: number): void {
  if (!Number.isInteger(maxLength) || maxLength < 2)
    throw new InvalidArgumentError(
      'maxLength',
      maxLength,
      'must be an integer ≥ 2 (room for [CLS] and [SEP])',
    );
}
