export { missingDataMessage, sharedDataDir } from './shared-data.js';
