import { describe, expect, it } from 'vitest';
import { CANONICAL_LEADS, canonicalLeadName, mapLeads } from './leads.js';
import type { MultiLeadSignal } from './multi-lead-signal.js';

function signalWith(names: string[], n = 4): MultiLeadSignal {
  return {
    sampleRate: 100,
    leadNames: names,
    leads: names.map((_, i) => new Float32Array(n).fill(i + 1)),
  };
}

describe('canonicalLeadName', () => {
  it('maps case and spelling variants to the canonical names', () => {
    const cases: [string, string][] = [
      ['i', 'I'],
      ['ii', 'II'],
      ['III', 'III'],
      ['avr', 'aVR'],
      ['AVR', 'aVR'],
      ['aVR', 'aVR'],
      ['aVL', 'aVL'],
      ['AVF', 'aVF'],
      ['V1', 'V1'],
      ['v1', 'V1'],
      ['ECG V1', 'V1'],
      ['ECG-V6', 'V6'],
      ['Lead I', 'I'],
      ['lead_aVF', 'aVF'],
      ['ECG I', 'I'],
      ['D1', 'I'],
      ['D2', 'II'],
      ['D3', 'III'],
      ['DIII', 'III'],
      ['  v4 ', 'V4'],
    ];
    for (const [raw, expected] of cases) expect(canonicalLeadName(raw), raw).toBe(expected);
  });

  it('leaves negated, right-sided, Frank and unknown leads unmapped', () => {
    for (const raw of ['-aVR', '−aVR', 'ECG -aVR', 'V4R', 'V7', 'vx', 'vy', 'vz', 'X', 'RESP', 'I2', '']) {
      expect(canonicalLeadName(raw), raw).toBeUndefined();
    }
  });

  it('maps the modified limb lead MLII only when asked to', () => {
    expect(canonicalLeadName('MLII')).toBeUndefined();
    expect(canonicalLeadName('MLII', { mapModifiedLeads: true })).toBe('II');
  });
});

describe('mapLeads', () => {
  it("maps PTB s0010_re's 15 leads to the canonical 12 and ignores the Frank leads", () => {
    const names = [
      'i',
      'ii',
      'iii',
      'avr',
      'avl',
      'avf',
      'v1',
      'v2',
      'v3',
      'v4',
      'v5',
      'v6',
      'vx',
      'vy',
      'vz',
    ];
    const mapping = mapLeads(signalWith(names));
    expect(mapping.signal.leadNames).toEqual([...CANONICAL_LEADS]);
    expect(mapping.missing).toEqual([]);
    expect(mapping.ignored).toEqual(['vx', 'vy', 'vz']);
    expect([...mapping.leadMask]).toEqual(new Array(12).fill(1));
    // Lead k of the input was filled with k + 1: the order is kept and arrays are shared, not copied.
    expect(mapping.signal.leads.map((l) => l[0])).toEqual(names.slice(0, 12).map((_, i) => i + 1));
  });

  it('reorders leads given out of order', () => {
    const mapping = mapLeads(signalWith(['V6', 'I', 'aVF']));
    expect([...mapping.sourceIndex.subarray(0, 1)]).toEqual([1]);
    expect(mapping.sourceIndex[5]).toBe(2);
    expect(mapping.sourceIndex[11]).toBe(0);
    expect(mapping.signal.leads[11]![0]).toBe(1);
  });

  it('reports 11 missing leads for an MIT-BIH record (MLII, V5) and zero-fills them', () => {
    const mapping = mapLeads(signalWith(['MLII', 'V5'], 10));
    expect(mapping.missing).toHaveLength(11);
    expect(mapping.missing).not.toContain('V5');
    expect(mapping.ignored).toEqual(['MLII']);
    expect([...mapping.leadMask]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
    expect(mapping.signal.leads[0]).toEqual(new Float32Array(10));
  });

  it('reports 10 missing leads for MLII + V5 when modified leads are mapped', () => {
    const mapping = mapLeads(signalWith(['MLII', 'V5']), { mapModifiedLeads: true });
    expect(mapping.missing).toHaveLength(10);
    expect(mapping.leadMask[1]).toBe(1);
  });

  it('keeps the first of two inputs naming the same lead and ignores the second', () => {
    const mapping = mapLeads(signalWith(['II', 'ECG II']));
    expect(mapping.sourceIndex[1]).toBe(0);
    expect(mapping.ignored).toEqual(['ECG II']);
  });
});
