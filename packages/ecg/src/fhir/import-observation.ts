import { FhirError } from '../errors.js';
import type { CanonicalLead } from '../signal/leads.js';
import type { EcgLeadSamples, EcgSamples } from './ecg-observation-types.js';
import { leadOfMdcCode, MDC_ECG_ELEC_POTL, MDC_SYSTEM } from './mdc-leads.js';

/** The digital value import gives an `E` (invalid) sample: WFDB format 16's invalid sample. */
export const IMPORTED_INVALID = -32768;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
// 1/factor and 1000/period pick up float noise (1/(1/2281) = 2281.0000000000005): 12 significant
// digits are far more than any ADC gain or sampling rate carries.
const clean = (x: number): number => Number(x.toPrecision(12));

function mdcCodes(concept: unknown): string[] {
  if (!isObject(concept) || !Array.isArray(concept['coding'])) return [];
  return concept['coding'].flatMap((c) =>
    isObject(c) && c['system'] === MDC_SYSTEM && typeof c['code'] === 'string' ? [c['code']] : [],
  );
}

/**
 * Reads an ECG Observation (as `ecgToFhirObservation` writes it, or any R4 Observation of the same
 * shape) back into digital samples: data tokens are the digital values, gain = 1/factor, baseline =
 * −origin/factor; `E` becomes `IMPORTED_INVALID`, `L`/`U` the digital value of lowerLimit/upperLimit.
 * Every problem found (missing or wrongly coded components, mismatched lengths or periods, non-integer
 * data…) is collected and thrown together as one `FhirError`.
 */
export function fhirObservationToEcg(resource: unknown, source = 'Observation'): EcgSamples {
  const problems: string[] = [];
  if (!isObject(resource)) throw new FhirError(source, ['the resource is not a JSON object']);
  if (resource['resourceType'] !== 'Observation') {
    problems.push(`resourceType is ${JSON.stringify(resource['resourceType'])}, expected "Observation"`);
  }
  if (!mdcCodes(resource['code']).includes(MDC_ECG_ELEC_POTL.code)) {
    problems.push(
      `code lacks ${MDC_ECG_ELEC_POTL.display} (${MDC_ECG_ELEC_POTL.code}, system ${MDC_SYSTEM})`,
    );
  }
  const components = resource['component'];
  if (!Array.isArray(components) || components.length === 0) {
    problems.push('no component: expected one per lead');
    throw new FhirError(source, problems);
  }
  const leads: EcgLeadSamples[] = [];
  const periods: number[] = [];
  const seen = new Set<CanonicalLead>();
  components.forEach((component: unknown, k) => {
    const where = `component[${k}]`;
    if (!isObject(component)) {
      problems.push(`${where} is not an object`);
      return;
    }
    const codes = mdcCodes(component['code']);
    const lead = codes.map(leadOfMdcCode).find((l) => l !== undefined);
    if (lead === undefined) {
      problems.push(`${where} code ${JSON.stringify(codes)} is not an MDC_ECG_ELEC_POTL lead code (I…V6)`);
    } else if (seen.has(lead)) {
      problems.push(`${where} repeats lead ${lead}`);
    }
    if (lead !== undefined) seen.add(lead);
    const sd = component['valueSampledData'];
    if (!isObject(sd)) {
      problems.push(`${where} has no valueSampledData`);
      return;
    }
    const origin = isObject(sd['origin']) ? sd['origin'] : undefined;
    const originValue = origin?.['value'];
    if (!finite(originValue)) problems.push(`${where} origin.value is missing or not a number`);
    const period = sd['period'];
    if (!finite(period) || period <= 0) problems.push(`${where} period ${JSON.stringify(period)} is not > 0`);
    else periods.push(period);
    const factor = sd['factor'] ?? 1;
    if (!finite(factor) || factor <= 0) problems.push(`${where} factor ${JSON.stringify(factor)} is not > 0`);
    if (sd['dimensions'] !== 1)
      problems.push(`${where} dimensions ${JSON.stringify(sd['dimensions'])}, expected 1`);
    if (typeof sd['data'] !== 'string') {
      problems.push(`${where} has no data`);
      return;
    }
    if (!finite(originValue) || !finite(factor) || factor <= 0) return;
    const toDigital = (physical: unknown): number | undefined =>
      finite(physical) ? Math.round((physical - originValue) / factor) : undefined;
    const lower = toDigital(sd['lowerLimit']);
    const upper = toDigital(sd['upperLimit']);
    const tokens = sd['data'].trim() === '' ? [] : sd['data'].trim().split(/\s+/);
    const digital = new Int16Array(tokens.length);
    const bad: string[] = [];
    tokens.forEach((t, i) => {
      let v: number | undefined;
      if (t === 'E') v = IMPORTED_INVALID;
      else if (t === 'L') v = lower;
      else if (t === 'U') v = upper;
      else v = /^[-+]?\d+$/.test(t) ? Number(t) : undefined;
      if (v === undefined || v < -32768 || v > 32767) bad.push(`'${t}' at ${i}`);
      else digital[i] = v;
    });
    if (bad.length > 0) {
      const shown = bad.slice(0, 3).join(', ');
      problems.push(
        `${where} data has ${bad.length} value(s) that are not 16-bit integers, E, or L/U with a limit: ${shown}`,
      );
    }
    const gain = clean(1 / factor);
    leads.push({
      lead: lead ?? 'I',
      digital,
      gain,
      baseline: Math.round(-originValue * gain) + 0, // + 0 turns −0 into 0
      units: typeof origin?.['unit'] === 'string' ? origin['unit'] : 'mV',
      invalid: IMPORTED_INVALID,
    });
  });
  const lengths = new Set(leads.map((l) => l.digital.length));
  if (lengths.size > 1) {
    problems.push(
      `components have different lengths: ${leads.map((l) => `${l.lead} ${l.digital.length}`).join(', ')}`,
    );
  }
  if (new Set(periods).size > 1)
    problems.push(`components have different periods (ms): ${periods.join(', ')}`);
  if (problems.length > 0) throw new FhirError(source, problems);
  return { sampleRate: clean(1000 / (periods[0] as number)), leads };
}
