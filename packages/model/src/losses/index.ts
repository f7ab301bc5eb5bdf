export { disentangleLoss } from './disentangle.js';
export { infoNce, sameKeyMask } from './infonce.js';
export type { PatchMaskOptions } from './patch-mask.js';
export { generatePatchMask } from './patch-mask.js';
export { normalisePatches, stmmLoss } from './stmm.js';
