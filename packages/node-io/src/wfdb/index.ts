export { findWfdbHeaders, listWfdbRecords } from './list-wfdb-records.js';
export type { WfdbSampleReader, WfdbSampleReaderOptions } from './open-sample-reader.js';
export { openWfdbSampleReader } from './open-sample-reader.js';
export type { WfdbRecordOnDisk } from './read-wfdb-record.js';
export { readWfdbHeader, readWfdbRecord } from './read-wfdb-record.js';
