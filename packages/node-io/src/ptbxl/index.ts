export type { PtbxlFolder, PtbxlRecord, PtbxlSummary, ReadPtbxlOptions } from './read-ptbxl.js';
export { openPtbxlFolder, readPtbxlFolder } from './read-ptbxl.js';
