import { describe, expect, it } from 'vitest';
import { maskRandomLeads } from './mask-leads.js';
import { retrieval } from './retrieval.js';
import { labelMatrix, zeroShot } from './zero-shot.js';

/** Unit vector e_k in d dimensions. */
function basis(k: number, d: number): number[] {
  return Array.from({ length: d }, (_, i) => (i === k ? 1 : 0));
}

describe('retrieval', () => {
  it('scores 1 at every k when each ECG sits on its own report, and counts same-text reports as hits', () => {
    const d = 4;
    // Pairs 0 and 1 share their report text; ECG 0 lies on report 1's vector and vice versa.
    const zEcg = new Float32Array([...basis(1, d), ...basis(0, d), ...basis(2, d), ...basis(3, d)]);
    const zText = new Float32Array([...basis(0, d), ...basis(1, d), ...basis(2, d), ...basis(3, d)]);
    const keys = ['sinus rhythm', 'sinus rhythm', 'afib', 'lbbb'];
    const r = retrieval(zEcg, zText, d, keys, ['en', 'en', 'de', 'de']);
    expect(r.ecgToReport.r1).toBe(1);
    expect(r.reportToEcg.r1).toBe(1);
    expect(r.reportToEcgByLanguage['de']).toMatchObject({ r1: 1, queries: 2 });
  });

  it('gives the hand-worked recall when one pair is swapped with an unrelated one', () => {
    const d = 3;
    // ECG 0 ↔ report 1 swapped, different texts: queries 0 and 1 miss at k = 1 but hit at k = 5.
    const zEcg = new Float32Array([...basis(1, d), ...basis(0, d), ...basis(2, d)]);
    const zText = new Float32Array([...basis(0, d), ...basis(1, d), ...basis(2, d)]);
    const r = retrieval(zEcg, zText, d, ['a', 'b', 'c'], ['en', 'en', 'en']);
    expect(r.ecgToReport.r1).toBeCloseTo(1 / 3, 10);
    expect(r.ecgToReport.r5).toBe(1);
  });

  it('gives every recall an interval around it, queries resampled against the whole gallery', () => {
    const d = 3;
    const zEcg = new Float32Array([...basis(1, d), ...basis(0, d), ...basis(2, d)]);
    const zText = new Float32Array([...basis(0, d), ...basis(1, d), ...basis(2, d)]);
    const r = retrieval(zEcg, zText, d, ['a', 'b', 'c'], ['en', 'en', 'de'], { seed: 1, draws: 200 });
    expect(r.ecgToReport.r1Ci.value).toBe(r.ecgToReport.r1);
    expect(r.ecgToReport.r1Ci.low).toBeLessThanOrEqual(r.ecgToReport.r1);
    expect(r.ecgToReport.r1Ci.high).toBeGreaterThanOrEqual(r.ecgToReport.r1);
    // The one German query hits at k = 5 on a gallery of all three ECGs, on every resample.
    expect(r.reportToEcgByLanguage['de']!.r5Ci).toMatchObject({ value: 1, low: 1, high: 1 });
  });
});

describe('zeroShot', () => {
  it('reaches AUROC 1 when positives lie on their class vector and 0.5 for a class vector orthogonal to all', () => {
    const d = 3;
    const classVectors = new Float32Array([...basis(0, d), ...basis(2, d)]);
    const zEcg = new Float32Array([...basis(0, d), ...basis(1, d), ...basis(0, d), ...basis(1, d)]);
    const labels = labelMatrix([['MI'], [], ['MI'], ['CD']], ['MI', 'CD']);
    const report = zeroShot(zEcg, classVectors, d, labels, ['MI', 'CD']);
    expect(report.perClass['MI']!.auroc).toBe(1);
    expect(report.perClass['CD']!.auroc).toBe(0.5); // every score 0: all tied
    expect(report.macroAuroc).toBe(0.75);
    expect(report.perClass['MI']!.positives).toBe(2);
    expect(report.f1Thresholds).toBe('evaluation-set');
    expect(report.perClass['MI']!.f1).toBe(1);
    expect(report.macroAurocCi.value).toBe(0.75);
    expect(report.perClass['CD']!.aurocCi).toMatchObject({ value: 0.5 });
  });
});

describe('maskRandomLeads', () => {
  it('switches off exactly k usable leads per example, zeroing their samples, and keeps at least one', () => {
    const n = 3;
    const windows = new Float32Array(n * 12 * 5).fill(1);
    const masks = new Uint8Array(n * 12).fill(1);
    masks.fill(0, 24, 34); // example 2 has only two usable leads (10 and 11)
    windows.fill(0, 24 * 5, 34 * 5); // masked leads hold zeros, as preprocessing leaves them
    const out = maskRandomLeads(windows, masks, n, 3, 7);
    const usable = (i: number) =>
      Array.from(out.leadMasks.subarray(i * 12, i * 12 + 12)).filter((m) => m === 1).length;
    expect([usable(0), usable(1), usable(2)]).toEqual([9, 9, 1]);
    for (let i = 0; i < n * 12; i++) {
      const row = out.windows.subarray(i * 5, i * 5 + 5);
      expect(row.every((v) => v === (out.leadMasks[i] === 1 ? 1 : 0))).toBe(true);
    }
    expect(maskRandomLeads(windows, masks, n, 3, 7).leadMasks).toEqual(out.leadMasks);
  });
});
