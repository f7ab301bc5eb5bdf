export type { ChallengeLabels, ChallengeRecord, ReadChallengeOptions } from './challenge/index.js';
export { readChallengeFolder } from './challenge/index.js';
export type { DatasetLayout } from './dataset-layout.js';
export { detectDatasetLayout } from './dataset-layout.js';
export * from './errors.js';
export { freePort } from './free-port.js';
export { startModuleWorker } from './module-worker.js';
export {
  type ClusterOwner,
  clusterOwner,
  findPostgresBinaries,
  type PostgresBinaries,
  type PostgresCluster,
  type PostgresClusterOptions,
  type PostgresLookup,
  postgresUnavailableReason,
  startPostgresCluster,
} from './postgres/index.js';
export type { PtbxlFolder, PtbxlRecord, PtbxlSummary, ReadPtbxlOptions } from './ptbxl/index.js';
export { openPtbxlFolder, readPtbxlFolder } from './ptbxl/index.js';
export {
  missingDataMessage,
  sharedDataDir,
  sharedDataForTest,
  sharedDataRoot,
  underCi,
} from './shared-data.js';
export type { WfdbRecordOnDisk, WfdbSampleReader, WfdbSampleReaderOptions } from './wfdb/index.js';
export {
  findWfdbHeaders,
  listWfdbRecords,
  openWfdbSampleReader,
  readWfdbHeader,
  readWfdbRecord,
} from './wfdb/index.js';
export { writeDataset } from './write-dataset.js';
