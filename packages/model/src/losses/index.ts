export type { CyclicPatchMaskOptions } from './cyclic-patch-mask.js';
export { cyclicPatchMask } from './cyclic-patch-mask.js';
export { disentangleLoss } from './disentangle.js';
export { infoNce, sameKeyMask } from './infonce.js';
export type { HeadOutputs, LossTerm, LossWeights } from './objective.js';
export { headTerms, LOSS_TERMS, LOSS_WEIGHT_OF, weightedLoss, weightedLossValue } from './objective.js';
export type { PatchMaskOptions } from './patch-mask.js';
export { generatePatchMask, maskShape } from './patch-mask.js';
export { normalisePatches, stmmLoss } from './stmm.js';
