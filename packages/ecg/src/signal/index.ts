export type {
  BandLeadStats,
  LeadQuality,
  LeadStatus,
  QualityOptions,
  RawLeadStats,
  SignalQuality,
} from '../quality/index.js';
export {
  bandLeadStats,
  classifyLead,
  missingLead,
  rawLeadStats,
  summariseQuality,
} from '../quality/index.js';
export type { AmplitudeUnit, UnitReading } from './amplitude-unit.js';
export { readAmplitudeUnit } from './amplitude-unit.js';
export type { ButterworthSpec, FilterKind, Sos } from './butterworth.js';
export { butterworth, sosMagnitude } from './butterworth.js';
export type { EcgFilterSpec } from './filter-cache.js';
export { ecgFilter } from './filter-cache.js';
export { filtfiltPadLength, sosfiltfilt, sosStepState } from './filtfilt.js';
export type { CanonicalLead, LeadMapping, LeadMappingOptions } from './leads.js';
export { CANONICAL_LEADS, canonicalLeadName, mapLeads } from './leads.js';
export type { MultiLeadSignal } from './multi-lead-signal.js';
export { leadUnit, sampleCount } from './multi-lead-signal.js';
export type { Normalisation } from './normalise.js';
export { leadScale, normaliseLead } from './normalise.js';
export { iirNotch } from './notch.js';
export type { PreprocessOptions, Preprocessor, PreprocessResult } from './preprocess.js';
export { createPreprocessor, preprocess } from './preprocess.js';
export type { PolyphaseFilter, ResampleOptions } from './resample.js';
export { polyphaseFilter, resample, resampledLength, resamplePoly, resampleRatio } from './resample.js';
export type { PartialWindow } from './window.js';
export { cutWindows, windowStarts } from './window.js';
