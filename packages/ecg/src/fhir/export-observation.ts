import type { Observation, ObservationComponent } from 'fhir/r4';
import { SignalShapeError } from '../errors.js';
import type { EcgSamples } from './ecg-observation-types.js';
import { MDC_ECG_ELEC_POTL, MDC_SYSTEM, mdcLeadCode } from './mdc-leads.js';

/** Options of `ecgToFhirObservation`. */
export interface FhirExportOptions {
  /** Observation status (default `final`). */
  readonly status?: Observation['status'];
  /** Resource id; omitted when undefined. */
  readonly id?: string;
  /** `effectiveDateTime` (FHIR dateTime); omitted when undefined. */
  readonly effectiveDateTime?: string;
  /** Free text kept in `note` (e.g. the WFDB header comments). */
  readonly notes?: readonly string[];
}

const UCUM = 'http://unitsofmeasure.org';
const UCUM_UNITS = new Map([
  ['mV', 'mV'],
  ['uV', 'uV'],
  ['µV', 'uV'],
]);

/**
 * An ECG as a FHIR R4 Observation coded MDC_ECG_ELEC_POTL with one component per lead. Each
 * `valueSampledData` carries the raw digital values as `data` (invalid samples as `E`), `factor` =
 * 1/gain and `origin` = −baseline/gain, so physical = origin + factor × data exactly as WFDB computes
 * (d − baseline)/gain, and the digital values come back unchanged on import. `period` is in ms.
 */
export function ecgToFhirObservation(ecg: EcgSamples, options: FhirExportOptions = {}): Observation {
  if (ecg.leads.length === 0) throw new SignalShapeError('ecgToFhirObservation: no leads to export');
  if (!(ecg.sampleRate > 0))
    throw new SignalShapeError(`ecgToFhirObservation: sample rate ${ecg.sampleRate}`);
  const length = ecg.leads[0]?.digital.length ?? 0;
  const components: ObservationComponent[] = ecg.leads.map((lead) => {
    if (lead.digital.length !== length) {
      throw new SignalShapeError(
        `ecgToFhirObservation: lead ${lead.lead} has ${lead.digital.length} samples, expected ${length}`,
      );
    }
    const factor = 1 / lead.gain;
    const physical = (d: number): number => (d - lead.baseline) / lead.gain;
    const tokens = new Array<string>(length);
    for (let i = 0; i < length; i++) {
      const d = lead.digital[i] as number;
      tokens[i] = d === lead.invalid ? 'E' : String(d);
    }
    const ucum = UCUM_UNITS.get(lead.units);
    const origin = { value: -lead.baseline / lead.gain, unit: lead.units };
    return {
      code: { coding: [{ system: MDC_SYSTEM, ...mdcLeadCode(lead.lead) }] },
      valueSampledData: {
        origin: ucum ? { ...origin, system: UCUM, code: ucum } : origin,
        period: 1000 / ecg.sampleRate,
        factor,
        ...(lead.range ? { lowerLimit: physical(lead.range[0]), upperLimit: physical(lead.range[1]) } : {}),
        dimensions: 1,
        data: tokens.join(' '),
      },
    };
  });
  return {
    resourceType: 'Observation',
    ...(options.id === undefined ? {} : { id: options.id }),
    status: options.status ?? 'final',
    category: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/observation-category',
            code: 'procedure',
            display: 'Procedure',
          },
        ],
      },
    ],
    code: { coding: [{ system: MDC_SYSTEM, ...MDC_ECG_ELEC_POTL }] },
    ...(options.effectiveDateTime === undefined ? {} : { effectiveDateTime: options.effectiveDateTime }),
    ...(options.notes && options.notes.length > 0 ? { note: options.notes.map((text) => ({ text })) } : {}),
    component: components,
  };
}
