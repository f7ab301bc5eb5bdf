import { Rng } from '@heartline/ecg';
import { preTokenize, trainWordPiece } from '@heartline/model/text';
import { describe, expect, it } from 'vitest';
import { createBatchSource, MAX_SPAN_WORDS, reportSpan } from './batches.js';
import { type Example, packExamples } from './example-set.js';

const REPORTS = [
  'sinus rhythm. q waves in ii, iii, avf consistent with old inferior myocardial infarction.',
  'sinusrhythmus linkstyp qrs(t) abnorm inferiorer infarkt wahrscheinlich alt',
  'atrial fibrillation with rapid ventricular response. left bundle branch block.',
  'sinusrhythmus lagetyp normal normales ekg',
  'sinus rhythm. normal ecg.',
  'sinus rhythm. normal ecg.',
  'vorhofflimmern/-flattern steiltyp kompl. rsb linkshypertrophie möglich',
  'sinus bradycardia. prolonged pr interval. left axis deviation.',
];

function exampleSet() {
  const examples: Example[] = REPORTS.map((report, i) => ({
    window: new Float32Array(12 * 1000).fill(i),
    leadMask: new Uint8Array(12).fill(1),
    report,
    reportKey: report,
    language: 'en',
    labels: [],
    fold: 1,
    source: 'synthetic',
    id: `test:${i}`,
  }));
  return packExamples(examples);
}

const tokenizer = trainWordPiece(REPORTS, { vocabSize: 300, minFrequency: 1 });

describe('reportSpan', () => {
  it('cuts 1–6 contiguous words that start and end with a word, the same for the same random stream', () => {
    const text = REPORTS[0]!;
    const words = preTokenize(text);
    const lengths = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const span = reportSpan(text, new Rng(`span:${i}`));
      expect(span).toBe(reportSpan(text, new Rng(`span:${i}`)));
      const spanWords = span.split(' ');
      lengths.add(spanWords.length);
      expect(spanWords.length).toBeLessThanOrEqual(MAX_SPAN_WORDS);
      expect(spanWords[0]).toMatch(/[\p{L}\p{N}]/u);
      expect(spanWords.at(-1)).toMatch(/[\p{L}\p{N}]/u);
      const start = words.findIndex((_, k) => spanWords.every((w, j) => words[k + j] === w));
      expect(start, span).toBeGreaterThanOrEqual(0);
    }
    expect(lengths.has(1)).toBe(true);
    expect(lengths.has(MAX_SPAN_WORDS)).toBe(true);
  });

  it('returns a one-word report whole', () => {
    expect(reportSpan('sinusbradykardie', new Rng(1))).toBe('sinusbradykardie');
  });
});

describe('createBatchSource', () => {
  const rowText = (ids: Int32Array, row: number, maxTokens: number) =>
    tokenizer.decode(ids.subarray(row * maxTokens, (row + 1) * maxTokens));

  it('serves whole reports without spans, equal reports sharing a pair key', () => {
    const set = exampleSet();
    const source = createBatchSource(set, tokenizer, {
      batchSize: 8,
      maxTokens: 32,
      seed: 1,
      shuffle: false,
    });
    const batch = source.batch(0, 0);
    for (let i = 0; i < 8; i++)
      expect(rowText(batch.tokenIds, i, 32)).toBe(tokenizer.decode(tokenizer.tokenIds(REPORTS[i]!)));
    expect(batch.pairKey[4]).toBe(batch.pairKey[5]);
    expect(new Set(batch.pairKey).size).toBe(7);
  });

  it('with spanProbability 1 replaces every report by a span of its words, reproducibly', () => {
    const set = exampleSet();
    const source = createBatchSource(set, tokenizer, {
      batchSize: 8,
      maxTokens: 32,
      seed: 1,
      shuffle: false,
      spanProbability: 1,
    });
    const batch = source.batch(3, 0);
    const again = source.batch(3, 0);
    expect(again.tokenIds).toEqual(batch.tokenIds);
    expect(again.pairKey).toEqual(batch.pairKey);
    const texts: string[] = [];
    for (let i = 0; i < 8; i++) {
      const text = rowText(batch.tokenIds, i, 32);
      texts.push(text);
      const whole = tokenizer.decode(tokenizer.tokenIds(REPORTS[i]!));
      expect(whole.includes(text), `${text} ⊂ ${whole}`).toBe(true);
      expect(text.split(' ').length).toBeLessThanOrEqual(MAX_SPAN_WORDS);
    }
    // Equal texts (and only they) share a pair key.
    for (let i = 0; i < 8; i++)
      for (let j = 0; j < 8; j++)
        expect(batch.pairKey[i] === batch.pairKey[j], `${texts[i]} / ${texts[j]}`).toBe(
          texts[i] === texts[j],
        );
    const otherEpoch = source.batch(4, 0);
    expect(otherEpoch.tokenIds).not.toEqual(batch.tokenIds);
  });

  it('rejects a span probability outside [0, 1]', () => {
    expect(() =>
      createBatchSource(exampleSet(), tokenizer, {
        batchSize: 4,
        maxTokens: 16,
        seed: 1,
        spanProbability: 1.5,
      }),
    ).toThrow(RangeError);
  });
});
