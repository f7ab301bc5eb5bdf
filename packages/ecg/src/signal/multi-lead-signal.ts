import type { AmplitudeUnit } from './amplitude-unit.js';

/** A multi-lead signal in physical units: one Float32Array per lead, all of equal length. */
export interface MultiLeadSignal {
  /** Samples per second per lead. */
  readonly sampleRate: number;
  /** Lead names, one per entry of `leads` (canonical names after lead mapping, raw names before). */
  readonly leadNames: readonly string[];
  /** Samples per lead, physical units (mV for ECG). NaN marks an invalid sample. */
  readonly leads: readonly Float32Array[];
  /** What each lead's amplitudes mean, one per entry of `leads`; absent means every lead is in mV. */
  readonly units?: readonly AmplitudeUnit[];
}

/** The amplitude unit of lead `index` (mV unless the signal says otherwise). */
export function leadUnit(signal: MultiLeadSignal, index: number): AmplitudeUnit {
  return signal.units?.[index] ?? 'mV';
}

/** Number of samples per lead (0 for a signal with no leads). */
export function sampleCount(signal: MultiLeadSignal): number {
  return signal.leads[0]?.length ?? 0;
}
