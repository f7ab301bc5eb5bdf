export type { WfdbRecordOnDisk } from './read-wfdb-record.js';
export { readWfdbHeader, readWfdbRecord } from './read-wfdb-record.js';
