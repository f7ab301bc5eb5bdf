import { describe, expect, it } from 'vitest';
import { scpForSnomed, snomedForScp } from './scp-snomed.js';
import { SNOMED_CLASS_TABLE } from './snomed-classes.js';

describe('snomedForScp', () => {
  it('gives the first table row of a statement or rhythm', () => {
    expect(snomedForScp('AFIB')).toEqual({ code: '164889003', display: 'atrial fibrillation' });
    expect(snomedForScp('SR')).toEqual({ code: '426783006', display: 'sinus rhythm' });
    expect(snomedForScp('CLBBB')?.code).toBe('164909002');
  });

  it('gives a superclass only the row of its own concept, and none for groupings', () => {
    expect(snomedForScp('MI')?.code).toBe('164865005');
    for (const code of ['NORM', 'STTC', 'CD', 'HYP', 'NOT-A-CODE'])
      expect(snomedForScp(code)).toBeUndefined();
  });

  it('round-trips every SCP statement the table names', () => {
    for (const entry of SNOMED_CLASS_TABLE.values()) {
      if (entry.scp === undefined) continue;
      expect(scpForSnomed(snomedForScp(entry.scp)!.code)).toBe(entry.scp);
    }
  });
});
