import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cyclicPatchMask } from './cyclic-patch-mask.js';
import { maskShape } from './patch-mask.js';

const LEADS = 12;
const PATCHES = 20;

describe('cyclicPatchMask', () => {
  it('masks every usable lead over every time span in turn, and never an unusable lead', () => {
    const leadMask = Uint8Array.from({ length: LEADS }, (_, l) => (l === 3 || l === 7 ? 0 : 1));
    const { groups, spans } = maskShape(10, PATCHES, 0.2, 0.3);
    const covered = new Uint8Array(LEADS * PATCHES);
    for (let turn = 0; turn < groups * spans; turn++) {
      const mask = cyclicPatchMask({
        batch: 1,
        leads: LEADS,
        patches: PATCHES,
        leadRatio: 0.2,
        timeRatio: 0.3,
        leadMask,
        turns: Int32Array.of(turn),
      });
      mask.forEach((m, i) => {
        if (m) covered[i] = 1;
      });
    }
    for (let l = 0; l < LEADS; l++) {
      const row = covered.subarray(l * PATCHES, (l + 1) * PATCHES);
      expect(row.every((c) => c === leadMask[l])).toBe(true);
    }
  });

  it('masks the same share as the random masks: a fifth of the usable leads over 30 % of the patches', () => {
    const property = fc.property(
      fc.integer({ min: 0, max: 10_000 }),
      fc.integer({ min: 2, max: 12 }),
      (turn, n) => {
        const leadMask = Uint8Array.from({ length: LEADS }, (_, l) => (l < n ? 1 : 0));
        const mask = cyclicPatchMask({
          batch: 1,
          leads: LEADS,
          patches: PATCHES,
          leadRatio: 0.2,
          timeRatio: 0.3,
          leadMask,
          turns: Int32Array.of(turn),
        });
        const perLead = Array.from({ length: LEADS }, (_, l) =>
          mask.subarray(l * PATCHES, (l + 1) * PATCHES).reduce((a, v) => a + v, 0),
        );
        const masked = perLead.filter((c) => c > 0);
        const { count } = maskShape(n, PATCHES, 0.2, 0.3);
        expect(masked.length).toBe(count);
        expect(masked.every((c) => c === 6)).toBe(true);
        expect(perLead.slice(n).every((c) => c === 0)).toBe(true);
      },
    );
    const seed = Number(process.env['HEARTLINE_PROPERTY_SEED'] ?? Date.now() % 2 ** 31);
    const result = fc.check(property, { seed, numRuns: 200 });
    if (result.failed)
      throw new Error(
        `property failed (HEARTLINE_PROPERTY_SEED=${seed}): ${fc.defaultReportMessage(result)}`,
      );
  });
});
