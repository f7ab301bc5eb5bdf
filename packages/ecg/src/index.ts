export * from './errors.js';
export type { MultiLeadSignal } from './signal/multi-lead-signal.js';
export { sampleCount } from './signal/multi-lead-signal.js';
export { hashSeed, Rng } from './util/rng.js';
