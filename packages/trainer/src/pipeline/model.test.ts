import { describe, expect, it } from 'vitest';
import { RECIPES } from '../recipes.js';
import { pretrainConfig } from './model.js';

describe('pretrainConfig', () => {
  it("takes the recipe's preset and overrides, then --config, then the vocabulary and the ablation", () => {
    const c = pretrainConfig(RECIPES.demo, 777, { lambdaDis: 0.2, lambdaStmm: 0.5, vocabSize: 5 }, 'stmm');
    expect(c.vocabSize).toBe(777);
    expect(c.lambdaStmm).toBe(0);
    // demo switches disentanglement off; --config puts it back.
    expect(c.lambdaDis).toBe(0.2);
    expect(pretrainConfig(RECIPES.demo, 777).lambdaDis).toBe(0);
  });

  it('switches disentanglement off for the disentangle ablation', () => {
    expect(pretrainConfig(RECIPES.tiny, 300, { lambdaDis: 0.3 }, 'disentangle').lambdaDis).toBe(0);
  });
});
