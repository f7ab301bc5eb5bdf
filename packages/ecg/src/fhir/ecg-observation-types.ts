import type { CanonicalLead } from '../signal/leads.js';

/** One lead of an ECG in digital (ADC) units with the calibration that maps it to physical units. */
export interface EcgLeadSamples {
  /** Which standard lead. */
  readonly lead: CanonicalLead;
  /** Digital samples. */
  readonly digital: ArrayLike<number>;
  /** ADC units per physical unit (> 0). */
  readonly gain: number;
  /** Digital value of 0 physical units. */
  readonly baseline: number;
  /** Physical units, e.g. `mV`. */
  readonly units: string;
  /** Digital value that marks an invalid sample (written as `E`); none when undefined. */
  readonly invalid?: number | undefined;
  /** Lowest and highest digital values the ADC can produce (become lowerLimit/upperLimit). */
  readonly range?: readonly [number, number] | undefined;
}

/** A multi-lead ECG at one sampling rate: what FHIR export takes and import returns. */
export interface EcgSamples {
  /** Samples per second. */
  readonly sampleRate: number;
  /** Leads, each with the same number of samples. */
  readonly leads: readonly EcgLeadSamples[];
}
