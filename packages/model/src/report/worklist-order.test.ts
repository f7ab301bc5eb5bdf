import { describe, expect, it } from 'vitest';
import { orderWorklist, uncertainty } from './worklist-order.js';

describe('uncertainty', () => {
  it('is 0 for a sure, in-distribution case and 1 for a tie far from every report', () => {
    expect(uncertainty({ margin: 1, oodDistance: 0 })).toBe(0);
    expect(uncertainty({ margin: 0, oodDistance: 1.5 })).toBe(1);
    expect(uncertainty({ margin: 0.5, oodDistance: null })).toBe(0.75);
  });
});

describe('orderWorklist', () => {
  it('puts the most unsure first and breaks ties by newest, then device and seq', () => {
    const at = (
      seq: number,
      margin: number,
      oodDistance: number | null,
      t0 = '2024-01-01T00:00:00.000Z',
    ) => ({
      deviceId: 'd',
      seq,
      t0,
      margin,
      oodDistance,
    });
    const ordered = orderWorklist([
      at(1, 0.9, 0.1),
      at(2, 0.1, 0.8),
      at(3, 0.5, 0.5),
      at(4, 0.5, 0.5, '2024-02-01T00:00:00.000Z'),
    ]);
    expect(ordered.map((c) => c.seq)).toEqual([2, 4, 3, 1]);
  });
});
