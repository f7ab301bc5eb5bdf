import { describe, expect, it } from 'vitest';
import { learningRate } from './schedule.js';

describe('learningRate', () => {
  const s = { peak: 1, warmupSteps: 4, minLr: 0 };
  it('rises linearly during warm-up', () => {
    expect([0, 1, 2, 3].map((t) => learningRate(s, t, 104))).toEqual([0.25, 0.5, 0.75, 1]);
  });
  it('follows a cosine to minLr after warm-up', () => {
    // Halfway through the 100 decay steps: 0.5 · (1 + cos(π/2)) = 0.5; at the end: 0.
    expect(learningRate(s, 54, 104)).toBeCloseTo(0.5, 10);
    expect(learningRate(s, 104, 104)).toBeCloseTo(0, 10);
  });
});
