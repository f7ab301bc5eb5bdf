import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, TokenizerError } from '../errors.js';
import { CLS_ID, PAD_ID, SEP_ID, UNK_ID } from './special-tokens.js';
import { WordPieceTokenizer } from './wordpiece-tokenizer.js';

// A hand-made vocabulary: ids 5–12 are the pieces below, so every expected id is read off this list.
const VOCAB = [
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  '[MASK]',
  'st',
  '-',
  'hebung',
  'senkung',
  'verl',
  '##ängerung',
  '##s',
  'block',
];
const tok = new WordPieceTokenizer(VOCAB);

describe('WordPieceTokenizer.tokenize', () => {
  it('splits on whitespace and punctuation and matches whole words when they are in the vocabulary', () => {
    expect(tok.tokenize('ST-Hebung')).toEqual(['st', '-', 'hebung']);
  });

  it('matches the longest known prefix first, then ## continuation pieces', () => {
    // "verlängerung": "verl" is the longest known start, "##ängerung" the rest.
    expect(tok.tokenize('verlängerung')).toEqual(['verl', '##ängerung']);
    expect(tok.tokenize('blocks')).toEqual(['block', '##s']);
  });

  it('encodes PTB-XL upper-case umlauts inside words like the lower-case spelling', () => {
    expect(tok.encode('verlÄngerung', 8)).toEqual(tok.encode('verlängerung', 8));
  });

  it('emits [UNK] for a character it cannot spell and keeps matching the rest of the word', () => {
    // "x" is not in the vocabulary; "blockx" → block, [UNK]; "xs" → [UNK] then "##s".
    expect(tok.tokenIds('blockx xs')).toEqual([12, UNK_ID, UNK_ID, 11]);
  });

  it('emits one [UNK] for a non-BMP letter, never half a surrogate pair', () => {
    // U+1D41A (mathematical bold a) is a letter stored as two UTF-16 units, so it stays inside the word.
    expect(tok.tokenIds('block\u{1d41a}s')).toEqual([12, UNK_ID, 11]);
  });

  it('splits a symbol such as an emoji off as a word of its own', () => {
    expect(tok.tokenIds('block😀 st')).toEqual([12, UNK_ID, 5]);
  });

  it('turns a word longer than maxInputCharsPerWord into a single [UNK]', () => {
    const short = new WordPieceTokenizer(VOCAB, { maxInputCharsPerWord: 5 });
    expect(short.tokenIds('blocks block')).toEqual([UNK_ID, 12]);
  });
});

describe('WordPieceTokenizer.encode', () => {
  it('wraps the pieces in [CLS] … [SEP] and pads with [PAD] under a zero mask', () => {
    const { ids, mask } = tok.encode('st-senkung', 7);
    expect([...ids]).toEqual([CLS_ID, 5, 6, 8, SEP_ID, PAD_ID, PAD_ID]);
    expect([...mask]).toEqual([1, 1, 1, 1, 1, 0, 0]);
  });

  it('truncates the pieces so [SEP] still ends a sequence at exactly maxLength', () => {
    const { ids, mask } = tok.encode('st-hebung st-senkung', 5);
    expect([...ids]).toEqual([CLS_ID, 5, 6, 7, SEP_ID]);
    expect([...mask]).toEqual([1, 1, 1, 1, 1]);
  });

  it('encodes an empty text as [CLS] [SEP] and padding', () => {
    expect([...tok.encode('   ', 4).ids]).toEqual([CLS_ID, SEP_ID, PAD_ID, PAD_ID]);
  });

  it('rejects maxLength 1 and 2.5 with InvalidArgumentError', () => {
    expect(() => tok.encode('st', 1)).toThrow(InvalidArgumentError);
    expect(() => tok.encode('st', 2.5)).toThrow(InvalidArgumentError);
  });

  it('lays a batch out row-major with each row equal to its single encoding', () => {
    const texts = ['st-hebung', 'blocks', ''];
    const batch = tok.encodeBatch(texts, 6);
    expect(batch.batchSize).toBe(3);
    expect(batch.ids.length).toBe(18);
    texts.forEach((text, row) => {
      const one = tok.encode(text, 6);
      expect([...batch.ids.subarray(row * 6, row * 6 + 6)]).toEqual([...one.ids]);
      expect([...batch.mask.subarray(row * 6, row * 6 + 6)]).toEqual([...one.mask]);
    });
  });
});

describe('WordPieceTokenizer.decode', () => {
  it('joins ## pieces to their word and drops special tokens', () => {
    expect(tok.decode(tok.encode('ST-Hebung blocks verlÄngerung', 12).ids)).toBe(
      'st - hebung blocks verlängerung',
    );
  });

  it('keeps special tokens when asked and rejects an id outside the vocabulary', () => {
    expect(tok.decode([CLS_ID, 12, SEP_ID], { keepSpecial: true })).toBe('[CLS] block [SEP]');
    expect(() => tok.decode([99])).toThrow(InvalidArgumentError);
  });
});

describe('WordPieceTokenizer JSON', () => {
  it('round-trips through a JSON string to a tokenizer with the same vocabulary and encodings', () => {
    const text = JSON.stringify(tok);
    const back = WordPieceTokenizer.fromJSON(text);
    expect(back.vocab).toEqual(VOCAB);
    expect(JSON.stringify(back)).toBe(text);
    expect(back.encode('st-hebung blocks', 8)).toEqual(tok.encode('st-hebung blocks', 8));
  });

  it('throws TokenizerError with code TOKENIZER for each malformed file', () => {
    const good = tok.toJSON();
    const bad: [string, unknown][] = [
      ['not JSON', '{"format":'],
      ['an array', '[]'],
      ['wrong format', { ...good, format: 'bert' }],
      ['version 2', { ...good, version: 2 }],
      ['vocab not an array', { ...good, vocab: 'st hebung' }],
      ['a number in vocab', { ...good, vocab: [...VOCAB, 7] }],
      ['specials out of order', { ...good, vocab: ['[UNK]', '[PAD]', ...VOCAB.slice(2)] }],
      ['a duplicate token', { ...good, vocab: [...VOCAB, 'st'] }],
      ['a bare ## token', { ...good, vocab: [...VOCAB, '##'] }],
      ['a token with a space', { ...good, vocab: [...VOCAB, 'st hebung'] }],
      ['maxInputCharsPerWord 0', { ...good, maxInputCharsPerWord: 0 }],
      [
        'unknown scoring',
        {
          ...good,
          training: { vocabSize: 9, minFrequency: 2, scoring: 'x', distinctWords: 1, totalWords: 1 },
        },
      ],
    ];
    for (const [what, json] of bad) {
      let error: unknown;
      try {
        WordPieceTokenizer.fromJSON(json, 'bad.json');
      } catch (e) {
        error = e;
      }
      expect(error, what).toBeInstanceOf(TokenizerError);
      expect((error as TokenizerError).code, what).toBe('TOKENIZER');
      expect((error as TokenizerError).message, what).toContain('bad.json');
    }
  });

  it('rejects a vocabulary that does not start with the special tokens', () => {
    expect(() => new WordPieceTokenizer(['st', ...VOCAB])).toThrow(InvalidArgumentError);
  });
});
