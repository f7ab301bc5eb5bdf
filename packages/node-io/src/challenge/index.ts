export type { ChallengeLabels, ChallengeRecord, ReadChallengeOptions } from './read-challenge.js';
export { readChallengeFolder } from './read-challenge.js';
