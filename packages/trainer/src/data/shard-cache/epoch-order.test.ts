import { Rng } from '@heartline/ecg';
import { describe, expect, it } from 'vitest';
import { shardEpochOrder } from './epoch-order.js';

describe('shardEpochOrder', () => {
  it('is a permutation, the same for the same seed and epoch, different across epochs', () => {
    const sizes = [5, 0, 7, 7, 3];
    const a = shardEpochOrder(sizes, 2, { seed: 's', shardsPerWindow: 2 });
    expect([...a].sort((x, y) => x - y)).toEqual([...Array(22).keys()]);
    expect(shardEpochOrder(sizes, 2, { seed: 's', shardsPerWindow: 2 })).toEqual(a);
    expect(shardEpochOrder(sizes, 3, { seed: 's', shardsPerWindow: 2 })).not.toEqual(a);
  });

  it('keeps each window of shards together: every run of two shards’ examples holds both whole', () => {
    const order = shardEpochOrder([4, 4, 4, 4, 4, 4], 0, { seed: 1, shardsPerWindow: 2 });
    const seen = new Set<number>();
    for (let w = 0; w < 3; w++) {
      const shards = [...order.subarray(8 * w, 8 * (w + 1))].map((i) => Math.floor(i / 4));
      const distinct = [...new Set(shards)];
      expect(distinct).toHaveLength(2);
      for (const k of distinct) {
        expect(shards.filter((s) => s === k)).toHaveLength(4);
        seen.add(k);
      }
    }
    expect(seen.size).toBe(6);
  });

  it("equals createBatchSource's shuffle when one window holds every shard", () => {
    const expected = new Rng('batches:7:3').shuffle([...Array(30).keys()]);
    expect([...shardEpochOrder([10, 10, 10], 3, { seed: 7, shardsPerWindow: 3 })]).toEqual(expected);
  });

  it('keeps the stored order without shuffling', () => {
    expect([...shardEpochOrder([2, 3], 5, { seed: 0, shardsPerWindow: 1, shuffle: false })]).toEqual([
      0, 1, 2, 3, 4,
    ]);
  });
});
