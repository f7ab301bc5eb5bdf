export type { CgDmerConfig, ConfigPreset } from './config.js';
export { CONFIG_PRESETS, DEFAULT_CONFIG, patchesPerLead, resolveConfig, validateConfig } from './config.js';
export type { EcgEncoder, EcgEncoding } from './ecg-encoder.js';
export { CgDmerModel, MAX_LOG_SCALE } from './model.js';
export type { EncoderFactory } from './registry.js';
export { ECG_ENCODERS, TEXT_ENCODERS } from './registry.js';
export type { TextEncoder } from './text-encoder.js';
export type {
  AlignBatch,
  LossTensors,
  PretrainBatch,
  PretrainEncoding,
  TextBatch,
  TrainBatch,
  TrainMode,
} from './train-step.js';
export {
  computeLosses,
  encodePretrainRows,
  headLosses,
  isPretrainBatch,
  pretrainMask,
  trainableGroups,
} from './train-step.js';
export type { WeightGroup, WeightValue } from './weights.js';
export { groupOf, WEIGHT_GROUPS } from './weights.js';
