export type { PtbxlFolder, PtbxlRecord, PtbxlSummary, ReadPtbxlOptions } from './ptbxl/index.js';
export { openPtbxlFolder, readPtbxlFolder } from './ptbxl/index.js';
export { missingDataMessage, sharedDataDir } from './shared-data.js';
export type { WfdbRecordOnDisk } from './wfdb/index.js';
export { readWfdbHeader, readWfdbRecord } from './wfdb/index.js';
export { writeDataset } from './write-dataset.js';
