import { describe, expect, it } from 'vitest';
import { generatePatchMask } from './patch-mask.js';

const base = { batch: 8, leads: 12, patches: 20, leadRatio: 0.2, timeRatio: 0.3, seed: 42 };

describe('generatePatchMask', () => {
  it('gives the same mask for the same seed and a different one for another seed', () => {
    expect(generatePatchMask(base)).toEqual(generatePatchMask(base));
    expect(generatePatchMask(base)).not.toEqual(generatePatchMask({ ...base, seed: 43 }));
  });

  it('masks round(20 % of 12) = 2 leads over one contiguous span of round(30 % of 20) = 6 patches', () => {
    const mask = generatePatchMask(base);
    for (let b = 0; b < base.batch; b++) {
      let maskedLeads = 0;
      for (let l = 0; l < 12; l++) {
        const row = [...mask.subarray((b * 12 + l) * 20, (b * 12 + l + 1) * 20)];
        const count = row.reduce((a, v) => a + v, 0);
        if (count === 0) continue;
        maskedLeads += 1;
        expect(count).toBe(6);
        const first = row.indexOf(1);
        expect(row.slice(first, first + 6).every((v) => v === 1)).toBe(true);
      }
      expect(maskedLeads).toBe(2);
    }
  });

  it('never masks a lead that is already off', () => {
    const leadMask = new Uint8Array(8 * 12).fill(1);
    for (let b = 0; b < 8; b++) for (let l = 0; l < 9; l++) leadMask[b * 12 + l] = 0; // only 9, 10, 11 usable
    const mask = generatePatchMask({ ...base, leadMask, leadRatio: 0.9 });
    for (let b = 0; b < 8; b++) {
      for (let l = 0; l < 9; l++)
        expect(mask.subarray((b * 12 + l) * 20, (b * 12 + l + 1) * 20).every((v) => v === 0)).toBe(true);
      // 90 % of 3 usable rounds to 3, capped at 2 so one usable lead stays visible.
      let masked = 0;
      for (let l = 9; l < 12; l++)
        if (
          mask[(b * 12 + l) * 20 + 19] === 1 ||
          mask.subarray((b * 12 + l) * 20, (b * 12 + l + 1) * 20).some((v) => v === 1)
        )
          masked += 1;
      expect(masked).toBe(2);
    }
  });

  it('returns an all-zero mask when a ratio is 0', () => {
    expect(generatePatchMask({ ...base, leadRatio: 0 }).every((v) => v === 0)).toBe(true);
  });

  it('throws on a ratio outside [0, 1] (tried timeRatio 1.5)', () => {
    expect(() => generatePatchMask({ ...base, timeRatio: 1.5 })).toThrow(/timeRatio/);
  });
});
