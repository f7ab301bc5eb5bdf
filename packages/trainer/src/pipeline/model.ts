/** The model step of a pretraining release: the configuration the recipe, overrides and tokenizer give. */
import { type CgDmerConfig, resolveConfig } from '@heartline/model/nn';
import type { TrainingRecipe } from '../recipes.js';

/** A loss (or the self-supervised stage, `ssl`) to switch off, to measure its effect. */
export type Ablation = 'stmm' | 'disentangle' | 'ssl';

/**
 * The recipe's model preset with, in order of precedence: the tokenizer's vocabulary size and the
 * ablation, then `overrides` (from `--config FILE`), then the recipe's own overrides.
 */
export function pretrainConfig(
  recipe: TrainingRecipe,
  vocabSize: number,
  overrides?: Partial<CgDmerConfig>,
  ablate?: Ablation,
): CgDmerConfig {
  return resolveConfig(
    {
      ...recipe.overrides,
      ...overrides,
      vocabSize,
      ...(ablate === 'stmm' ? { lambdaStmm: 0 } : {}),
      ...(ablate === 'disentangle' ? { lambdaDis: 0 } : {}),
    },
    recipe.model,
  );
}
