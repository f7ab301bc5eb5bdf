import { Rng } from '@heartline/ecg';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { CLASS_PROMPTS } from './class-prompts.js';
import { SPECIAL_TOKENS, UNK_ID } from './special-tokens.js';
import { trainWordPiece } from './wordpiece-trainer.js';

describe('trainWordPiece golden vocabularies', () => {
  // Words: ab ×3, abc ×2, b ×1. Alphabet (count ≥ 2): a 5, ##b 5, ##c 2; "b" as a first letter occurs once.
  // Pairs: (a,##b) 5, (##b,##c) 2 → merge "ab"; then (ab,##c) 2 → merge "abc"; then no pair is left.
  const corpusA = ['ab ab ab', 'abc abc', 'b'];
  const vocabA = [...SPECIAL_TOKENS, '##b', '##c', 'a', 'ab', 'abc'];

  it('learns alphabet then merges in frequency order, dropping characters rarer than minFrequency', () => {
    expect(trainWordPiece(corpusA).vocab).toEqual(vocabA);
  });

  it('gives the same vocabulary under the likelihood rule when a score tie is broken by pair count', () => {
    // Scores: (a,##b) 5/(5·5) = 0.2 and (##b,##c) 2/(5·2) = 0.2 tie; the more frequent pair wins.
    expect(trainWordPiece(corpusA, { scoring: 'likelihood' }).vocab).toEqual(vocabA);
  });

  it('encodes with the learned pieces: whole words, ## remainders and [UNK] for unlearned characters', () => {
    const tok = trainWordPiece(corpusA);
    // Ids read off vocabA: ##b 5, ##c 6, a 7, ab 8, abc 9.
    expect(tok.tokenIds('ab abc b c')).toEqual([8, 9, UNK_ID, UNK_ID]);
    expect(tok.tokenIds('abcc')).toEqual([9, 6]);
    expect(tok.tokenIds('aab')).toEqual([7, UNK_ID, 5]);
  });

  // Words: ab ×4, ac ×4, de ×2 → alphabet ##b ##c ##e a d (ids 5–9).
  const corpusB = ['ab ab ab ab ac ac ac ac de de'];

  it('merges the most frequent pair first under the frequency rule', () => {
    // (a,##b) 4 and (a,##c) 4 tie on count; "##b" < "##c" decides; (d,##e) 2 comes last.
    expect(trainWordPiece(corpusB).vocab.slice(5)).toEqual(['##b', '##c', '##e', 'a', 'd', 'ab', 'ac', 'de']);
    expect(trainWordPiece(corpusB, { vocabSize: 11 }).vocab.slice(10)).toEqual(['ab']);
  });

  it('merges the pair with the highest count(ab)/(count(a)·count(b)) first under the likelihood rule', () => {
    // (d,##e) 2/(2·2) = 0.5 beats (a,##b) 4/(8·4) = 0.125; then ab; then (a,##c) 4/(4·4) = 0.25.
    const tok = trainWordPiece(corpusB, { scoring: 'likelihood' });
    expect(tok.vocab.slice(10)).toEqual(['de', 'ab', 'ac']);
    expect(trainWordPiece(corpusB, { scoring: 'likelihood', vocabSize: 11 }).vocab.slice(10)).toEqual(['de']);
  });

  it('makes a frequent word one token and splits a rare inflection into the word plus ##s', () => {
    // Every pair inside "block" occurs ≥ 4 times, so it ends whole; (##k,##s) occurs once and never merges.
    const tok = trainWordPiece(['block block block blocks', 'sinus sinus']);
    expect(tok.tokenize('block sinus')).toEqual(['block', 'sinus']);
    expect(tok.tokenize('blocks')).toEqual(['block', '##s']);
  });

  it('keeps the most frequent characters when the alphabet alone would overflow vocabSize', () => {
    // a ×4, ##c ×2, ##b ×1 with room for two pieces: a and ##c stay.
    const tok = trainWordPiece(['a a abc ac'], { vocabSize: 7, minFrequency: 1 });
    expect(tok.vocab.slice(5)).toEqual(['##c', 'a']);
  });

  it('records how it was trained in the JSON', () => {
    expect(trainWordPiece(corpusA).toJSON().training).toEqual({
      vocabSize: 2000,
      minFrequency: 2,
      scoring: 'frequency',
      distinctWords: 3,
      totalWords: 6,
    });
  });
});

describe('trainWordPiece options', () => {
  it('rejects vocabSize 5 (no room past the specials), minFrequency 0 and scoring "bpe"', () => {
    expect(() => trainWordPiece(['a'], { vocabSize: 5 })).toThrow(InvalidArgumentError);
    expect(() => trainWordPiece(['a'], { minFrequency: 0 })).toThrow(InvalidArgumentError);
    expect(() => trainWordPiece(['a'], { scoring: 'bpe' as 'frequency' })).toThrow(InvalidArgumentError);
  });
});

describe('trainWordPiece determinism', () => {
  const corpus = Object.values(CLASS_PROMPTS).flatMap((p) => [...p.en, ...p.de, ...p.de.slice(1)]);
  for (const scoring of ['frequency', 'likelihood'] as const) {
    it(`gives byte-identical JSON when trained twice and on a shuffled corpus (${scoring})`, () => {
      const first = JSON.stringify(trainWordPiece(corpus, { scoring, vocabSize: 300 }));
      const again = JSON.stringify(trainWordPiece(corpus, { scoring, vocabSize: 300 }));
      const shuffled = JSON.stringify(
        trainWordPiece(new Rng(7).shuffle([...corpus]), { scoring, vocabSize: 300 }),
      );
      expect(again).toBe(first);
      expect(shuffled).toBe(first);
    });
  }
});
