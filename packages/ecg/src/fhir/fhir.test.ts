import type { Observation } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { FhirError } from '../errors.js';
import type { EcgSamples } from './ecg-observation-types.js';
import { ecgToFhirObservation } from './export-observation.js';
import { fhirObservationToEcg, IMPORTED_INVALID } from './import-observation.js';
import { leadOfMdcCode, mdcLeadCode } from './mdc-leads.js';

/**
 * Structural check of an R4 Observation written from the specification (required elements and
 * cardinalities of Observation, CodeableConcept, Coding, SampledData): the problems found.
 */
function r4ObservationProblems(o: Observation): string[] {
  const p: string[] = [];
  const statuses = [
    'registered',
    'preliminary',
    'final',
    'amended',
    'corrected',
    'cancelled',
    'entered-in-error',
    'unknown',
  ];
  if (o.resourceType !== 'Observation') p.push('resourceType');
  if (!statuses.includes(o.status)) p.push('status 1..1 from ObservationStatus');
  const concept = (c: unknown, where: string) => {
    const cc = c as { coding?: { system?: unknown; code?: unknown }[] } | undefined;
    if (!cc || !Array.isArray(cc.coding) || cc.coding.length === 0) p.push(`${where} CodeableConcept`);
    for (const coding of cc?.coding ?? []) {
      if (typeof coding.system !== 'string' || !/^\S+$/.test(coding.system)) p.push(`${where} system uri`);
      if (typeof coding.code !== 'string' || !/^[^\s]+( [^\s]+)*$/.test(coding.code)) p.push(`${where} code`);
    }
  };
  concept(o.code, 'code');
  for (const [k, c] of (o.component ?? []).entries()) {
    concept(c.code, `component[${k}].code`);
    const sd = c.valueSampledData;
    if (!sd) {
      p.push(`component[${k}] value`);
      continue;
    }
    if (typeof sd.origin?.value !== 'number') p.push('origin 1..1 SimpleQuantity');
    if (!(typeof sd.period === 'number' && Number.isFinite(sd.period))) p.push('period 1..1 decimal');
    if (!(Number.isInteger(sd.dimensions) && sd.dimensions >= 1)) p.push('dimensions 1..1 positiveInt');
    if (sd.data !== undefined && !/^((-?\d+(\.\d+)?([eE][+-]?\d+)?|E|L|U)( |$))*$/.test(sd.data))
      p.push('data');
  }
  return p;
}

const ecg: EcgSamples = {
  sampleRate: 500,
  leads: [
    {
      lead: 'I',
      digital: Int16Array.from([0, 5, -7, -32768, 32767]),
      gain: 1000,
      baseline: 0,
      units: 'mV',
      invalid: -32768,
    },
    {
      lead: 'aVF',
      digital: Int16Array.from([1, 2, 3, 4, 5]),
      gain: 2281,
      baseline: -26,
      units: 'mV',
      invalid: -32768,
      range: [-32767, 32767],
    },
  ],
};

describe('mdcLeadCode', () => {
  it('codes leads as 131328 + MDC lead number (I 131329, III 131389, aVF 131392, V6 131336)', () => {
    expect(['I', 'III', 'aVF', 'V6'].map((l) => mdcLeadCode(l as 'I').code)).toEqual([
      '131329',
      '131389',
      '131392',
      '131336',
    ]);
    expect(mdcLeadCode('aVR').display).toBe('MDC_ECG_ELEC_POTL_AVR');
    expect(leadOfMdcCode('131331')).toBe('V1');
    expect(leadOfMdcCode('131328')).toBeUndefined();
  });
});

describe('ecgToFhirObservation / fhirObservationToEcg', () => {
  const observation = ecgToFhirObservation(ecg);

  it('writes an R4-shaped Observation: period 2 ms, factor 1/gain, origin −baseline/gain, E for invalid', () => {
    expect(r4ObservationProblems(observation)).toEqual([]);
    const sd = observation.component?.[1]?.valueSampledData;
    expect(sd).toMatchObject({ period: 2, factor: 1 / 2281, dimensions: 1, data: '1 2 3 4 5' });
    expect(sd?.origin.value).toBeCloseTo(26 / 2281, 15);
    expect(sd?.lowerLimit).toBeCloseTo((-32767 + 26) / 2281, 12);
    expect(observation.component?.[0]?.valueSampledData?.data).toBe('0 5 -7 E 32767');
  });

  it('round-trips digital values, gain, baseline and rate exactly through JSON', () => {
    const back = fhirObservationToEcg(JSON.parse(JSON.stringify(observation)));
    expect(back.sampleRate).toBe(500);
    back.leads.forEach((l, i) => {
      const src = ecg.leads[i]!;
      expect([l.lead, l.gain, l.baseline, l.units]).toEqual([src.lead, src.gain, src.baseline, src.units]);
      expect(Array.from(l.digital)).toEqual(Array.from(src.digital));
    });
    expect(back.leads[0]?.digital[3]).toBe(IMPORTED_INVALID);
  });

  it('lists every problem of a broken Observation in one FhirError', () => {
    const broken = JSON.parse(JSON.stringify(observation));
    broken.code.coding[0].code = '12345'; // wrong Observation code
    broken.component[0].code.coding[0].code = '999'; // not a lead code
    broken.component[1].valueSampledData.data = '1 2 x 4'; // non-numeric and shorter
    broken.component[1].valueSampledData.period = 4; // period mismatch
    let error: unknown;
    try {
      fhirObservationToEcg(broken, 'broken.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FhirError);
    const problems = (error as FhirError).problems;
    expect(problems).toHaveLength(5);
    expect(problems[0]).toMatch(/code lacks MDC_ECG_ELEC_POTL \(131328/);
    expect(problems[1]).toMatch(/component\[0\] code \["999"\] is not an MDC_ECG_ELEC_POTL lead code/);
    expect(problems[2]).toMatch(/component\[1\] data has 1 value\(s\) .*'x' at 2/);
    expect(problems[3]).toMatch(/different lengths: I 5, aVF 4/);
    expect(problems[4]).toMatch(/different periods \(ms\): 2, 4/);
  });

  it('reports missing components and a missing valueSampledData ({component: []} and {code only})', () => {
    expect(() =>
      fhirObservationToEcg({ resourceType: 'Observation', code: observation.code, component: [] }),
    ).toThrow(/no component: expected one per lead/);
    const noValue = {
      resourceType: 'Observation',
      code: observation.code,
      component: [{ code: observation.component?.[0]?.code }],
    };
    expect(() => fhirObservationToEcg(noValue)).toThrow(/component\[0\] has no valueSampledData/);
    expect(() => fhirObservationToEcg('text')).toThrow(FhirError);
  });
});
