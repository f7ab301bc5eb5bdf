import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_SUPERCLASSES } from './scp-statements.js';
import { mapSnomedCodes, parseDxCodes, SNOMED_CLASS_TABLE, SNOMED_UNMAPPED } from './snomed-classes.js';

describe('SNOMED_CLASS_TABLE', () => {
  it('holds each code once, with a valid superclass and no overlap with the unmapped list', () => {
    for (const [code, entry] of SNOMED_CLASS_TABLE) {
      expect(entry.code).toBe(code);
      expect(code).toMatch(/^\d+$/);
      if (entry.superclass !== undefined) expect(DIAGNOSTIC_SUPERCLASSES).toContain(entry.superclass);
      expect(SNOMED_UNMAPPED.has(code)).toBe(false);
    }
  });

  it('covers every Challenge 2021 scored code except the unmapped ones', () => {
    // The 30 scored codes of the Challenge 2021 (dx_mapping_scored.csv), typed out independently.
    const scored = [
      '164889003',
      '164890007',
      '6374002',
      '426627000',
      '733534002',
      '713427006',
      '270492004',
      '713426002',
      '39732003',
      '445118002',
      '164909002',
      '251146004',
      '698252002',
      '426783006',
      '284470004',
      '10370003',
      '365413008',
      '427172004',
      '164947007',
      '111975006',
      '164917005',
      '47665007',
      '59118001',
      '427393009',
      '426177001',
      '427084000',
      '63593006',
      '164934002',
      '59931005',
      '17338001',
    ];
    for (const code of scored) expect(SNOMED_CLASS_TABLE.has(code) || SNOMED_UNMAPPED.has(code)).toBe(true);
    const flagged = [...SNOMED_CLASS_TABLE.values()].filter((e) => e.scored).map((e) => e.code);
    expect(flagged.every((c) => scored.includes(c))).toBe(true);
  });
});

describe('mapSnomedCodes', () => {
  it('maps rhythm codes to PTB-XL rhythm statements without a superclass', () => {
    const r = mapSnomedCodes(['164889003', '427084000']);
    expect(r.rhythm).toEqual(['AFIB', 'STACH']);
    expect(r.superclasses).toEqual([]);
    expect(r.unmapped).toEqual([]);
  });

  it('maps conduction, hypertrophy, infarction and ST/T codes to their superclasses in canonical order', () => {
    // RBBB → CD, LVH → HYP, MI → MI, T-wave abnormal → STTC.
    const r = mapSnomedCodes(['59118001', '164873001', '164865005', '164934002']);
    expect(r.superclasses).toEqual(['MI', 'STTC', 'CD', 'HYP']);
    expect(r.scp).toEqual(['CRBBB', 'LVH', 'NDT']);
  });

  it('infers NORM only for sinus rhythm alone', () => {
    expect(mapSnomedCodes(['426783006'])).toMatchObject({
      superclasses: ['NORM'],
      rhythm: ['SR'],
      normInferred: true,
    });
    // Sinus rhythm with T inversion: STTC, not NORM.
    expect(mapSnomedCodes(['426783006', '59931005'])).toMatchObject({
      superclasses: ['STTC'],
      normInferred: false,
    });
    // Sinus rhythm with an unmapped code (left axis deviation): nothing is known to be normal.
    expect(mapSnomedCodes(['426783006', '39732003']).superclasses).toEqual([]);
    expect(mapSnomedCodes(['426783006'], { inferNorm: false }).superclasses).toEqual([]);
  });

  it('lists unknown and deliberately unmapped codes once each, in record order', () => {
    const r = mapSnomedCodes(['99999999', '47665007', '99999999', '284470004']);
    expect(r.unmapped).toEqual(['99999999', '47665007']);
    expect(r.scp).toEqual(['PAC']);
    expect(r.superclasses).toEqual([]);
  });

  it('gives sign-only findings (Q waves, high voltage) an SCP statement but no superclass', () => {
    const r = mapSnomedCodes(['164917005', '55827005']);
    expect(r.scp).toEqual(['QWAVE', 'VCLVH']);
    expect(r.superclasses).toEqual([]);
  });
});

describe('parseDxCodes', () => {
  it('splits on commas and drops blanks and spaces', () => {
    expect(parseDxCodes(' 426783006, 164889003,,')).toEqual(['426783006', '164889003']);
  });
});
