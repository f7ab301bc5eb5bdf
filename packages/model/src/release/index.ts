export type { NamedWeight, PackedWeightEntry, WeightMap } from './packed-weights.js';
export { packWeights, unpackWeights } from './packed-weights.js';
