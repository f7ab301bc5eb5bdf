export type { RocCurve } from './auroc.js';
export { auroc, rocCurve, trapezoidArea } from './auroc.js';
export type {
  BootstrapInterval,
  BootstrapOptions,
  ConfidenceInterval,
  ResampleStatistic,
} from './bootstrap.js';
export { meanInterval, percentileBootstrap, resolveBootstrapOptions } from './bootstrap.js';
export type { MacroAurocIntervals } from './bootstrap-auroc.js';
export { aurocInterval, macroAurocIntervals } from './bootstrap-auroc.js';
export { recallIntervals, recallIntervalsFromRanks } from './bootstrap-recall.js';
export type { F1Result, F1Threshold, MacroF1 } from './f1.js';
export { bestF1Threshold, f1Score, macroF1 } from './f1.js';
export { labelFraction } from './label-fraction.js';
export type { LbfgsOptions, LbfgsResult, Objective } from './lbfgs.js';
export { minimiseLbfgs } from './lbfgs.js';
export type { LinearProbe, LinearProbeOptions } from './linear-probe.js';
export { fitLinearProbe } from './linear-probe.js';
export type { MacroAuroc } from './macro-auroc.js';
export { macroAuroc } from './macro-auroc.js';
export type { DenseMatrix } from './matrix.js';
export { denseMatrix, matrixColumn, matrixFromRows } from './matrix.js';
export type { RecallAtK, Relevance } from './recall-at-k.js';
export { recallAtK, relevantRanks } from './recall-at-k.js';
export { cosineSimilarityMatrix, l2NormaliseInPlace, softmax, softmaxRows } from './similarity.js';
