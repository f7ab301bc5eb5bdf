export type { BandLeadStats, LeadQuality, LeadStatus, QualityOptions, RawLeadStats } from './lead-quality.js';
export { bandLeadStats, classifyLead, missingLead, rawLeadStats } from './lead-quality.js';
export type { SignalQuality } from './signal-quality.js';
export { summariseQuality } from './signal-quality.js';
