export type { AlignReleaseOptions, AlignReleaseResult } from './align-release.js';
export { alignRelease, MIN_ALIGN_PAIRS } from './align-release.js';
export type { BackendName, SelectBackendOptions } from './backend.js';
export { BACKEND_ORDER, selectBackend } from './backend.js';
export type { AlignBatchSource, AlignPair, AlignPairSet } from './data/align-pairs.js';
export {
  createAlignBatchSource,
  packAlignPairs,
  splitAlignPairs,
  subsetAlignPairs,
} from './data/align-pairs.js';
export { alignPairsFromExamples } from './data/align-pairs-from-examples.js';
export type { ExampleSet } from './data/example-set.js';
export { concatExamples, filterExamples, subsetExamples } from './data/example-set.js';
export { examplesFromChallengeFolder } from './data/from-challenge-folder.js';
export type { FolderExamples, FolderExamplesOptions } from './data/from-folder.js';
export { examplesFromFolder } from './data/from-folder.js';
export { pairedReportExamples } from './data/from-paired-reports.js';
export { examplesFromPtbxlFolder } from './data/from-ptbxl-folder.js';
export { syntheticExamples } from './data/from-synthetic.js';
export { examplesFromWfdbRecords } from './data/from-wfdb-folder.js';
export { createMaskedModellingBatches } from './data/masked-modelling-batches.js';
export type {
  BuildShardCacheOptions,
  BuildShardCacheResult,
  OpenShardCacheOptions,
  PtbxlSourcesOptions,
  RawRecord,
  RecordSource,
  ShardBatchSource,
  ShardBatchSourceOptions,
  ShardCache,
  ShardCacheManifest,
} from './data/shard-cache/index.js';
export {
  buildShardCache,
  createShardBatchSource,
  openShardCache,
  ptbxlFolderSources,
  shardEpochOrder,
  wfdbRecordSources,
} from './data/shard-cache/index.js';
export * from './errors.js';
export type { AlignEvaluation } from './eval/align-evaluation.js';
export { evaluateAlignment, projectEmbeddings } from './eval/align-evaluation.js';
export type { AlignedEncoders } from './eval/aligned-encoders.js';
export type {
  BootstrapSettings,
  EvaluateOptions,
  EvaluationReport,
  LinearProbeReport,
  MissingLeadsFigures,
} from './eval/evaluate.js';
export { evaluate } from './eval/evaluate.js';
export { tfEncoders } from './eval/tf-encoders.js';
export { classEmbeddings } from './eval/zero-shot.js';
export type { ExportedVariant, ExportReleaseOptions } from './export-release.js';
export { exportRelease, ONNX_FILES } from './export-release.js';
export type { LoadedRelease } from './load-release.js';
export { loadRelease } from './load-release.js';
export type { AdamOptions, AdamState } from './loop/adam.js';
export { Adam } from './loop/adam.js';
export type { StepTiming } from './loop/measure.js';
export { measureParallelStepTime, measureStepTime, randomPretrainBatch } from './loop/measure.js';
export type { LrSchedule } from './loop/schedule.js';
export { learningRate } from './loop/schedule.js';
export type { LossValues } from './loop/step.js';
export { evaluateLosses, trainStep } from './loop/step.js';
export type { Ablation } from './pipeline/model.js';
export { selfSupervisedExamples } from './pipeline/self-supervised.js';
export type { RecipeName, TrainingRecipe } from './recipes.js';
export { RECIPES } from './recipes.js';
export type { ReleaseContents, ReleaseManifest } from './release/release-dir.js';
export { RELEASE_FILES, readReleaseDir, writeReleaseDir } from './release/release-dir.js';
export { ed25519Signer, ed25519Verifier, generateSigningKeys } from './sign.js';
export type { EcgClassifierOptions } from './supervised/ecg-classifier.js';
export { EcgClassifier } from './supervised/ecg-classifier.js';
export { sigmoidCrossEntropy } from './supervised/sigmoid-cross-entropy.js';
export type {
  SupervisedBaselineOptions,
  SupervisedBaselineResult,
  SupervisedEpochRecord,
} from './supervised/supervised-baseline.js';
export { evaluateClassifier, trainSupervisedBaseline } from './supervised/supervised-baseline.js';
export type {
  SupervisedBaselineReport,
  SupervisedReportOptions,
} from './supervised/supervised-report.js';
export { holdOutLastFold, supervisedBaselineReport } from './supervised/supervised-report.js';
export type { EpochRecord, TrainOptions, TrainResult, TrainState } from './train-loop.js';
export { train } from './train-loop.js';
export type { TrainReleaseOptions } from './train-release.js';
export { trainRelease } from './train-release.js';
