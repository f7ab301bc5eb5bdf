/** A multi-lead signal in physical units: one Float32Array per lead, all of equal length. */
export interface MultiLeadSignal {
  /** Samples per second per lead. */
  readonly sampleRate: number;
  /** Lead names, one per entry of `leads` (canonical names after lead mapping, raw names before). */
  readonly leadNames: readonly string[];
  /** Samples per lead, physical units (mV for ECG). NaN marks an invalid sample. */
  readonly leads: readonly Float32Array[];
}

/** Number of samples per lead (0 for a signal with no leads). */
export function sampleCount(signal: MultiLeadSignal): number {
  return signal.leads[0]?.length ?? 0;
}
