import { CLASS_SETS, promptsFor } from '@heartline/model/text';
import { describe, expect, it } from 'vitest';
import type { ReleaseModel } from '../releases/release-models.js';
import { zeroShot } from './zero-shot.js';

/** A 2-d fake release: prompts of the first superclass map to (1, 0), every other prompt to (0, 1). */
function fakeModel(): ReleaseModel {
  const first = new Set(promptsFor(CLASS_SETS.superclass[0]!));
  return {
    id: 'fake',
    ecgDim: 2,
    sharedDim: 2,
    projectEcg: (h) => h,
    encodeText: (texts) => Float32Array.from(texts.flatMap((t) => (first.has(t) ? [1, 0] : [0, 1]))),
  };
}

describe('zeroShot', () => {
  it('ranks the class whose prompts point along the case vector first, with softmax probabilities', () => {
    const scores = zeroShot(fakeModel(), new Float32Array([2, 0]), 'superclass', 0.5);
    expect(scores[0]!.code).toBe(CLASS_SETS.superclass[0]);
    expect(scores[0]!.similarity).toBeCloseTo(1, 6);
    // Four classes at similarity 0, one at 1: p = e^(1/0.5) / (e^(1/0.5) + 4).
    const e = Math.exp(2);
    expect(scores[0]!.probability).toBeCloseTo(e / (e + 4), 6);
    expect(scores.reduce((s, c) => s + c.probability, 0)).toBeCloseTo(1, 6);
  });
});
