import { maskShape } from '@heartline/model/losses';
import { patchesPerLead, resolveConfig } from '@heartline/model/nn';
import { trainWordPiece } from '@heartline/model/text';
import { describe, expect, it } from 'vitest';
import { syntheticExamples } from './from-synthetic.js';
import { createMaskedModellingBatches } from './masked-modelling-batches.js';

const config = resolveConfig({ vocabSize: 64 }, 'tiny');
const tokenizer = trainWordPiece(['sinus rhythm', 'normal ecg'], { vocabSize: 64 });

describe('createMaskedModellingBatches', () => {
  const set = syntheticExamples({ n: 8, seed: 3 });
  const source = createMaskedModellingBatches(set, tokenizer, config, { batchSize: 4, seed: 1 });
  const patches = patchesPerLead(config);

  it('serves windows with no report, distinct pair keys and a mask of its own, the same for the same (epoch, index)', () => {
    const a = source.batch(2, 1);
    expect(a.patchMask).toHaveLength(4 * 12 * patches);
    expect(new Set(a.pairKey).size).toBe(4);
    const empty = tokenizer.encode('', config.maxTokens);
    expect(Array.from(a.tokenIds.subarray(0, config.maxTokens))).toEqual(Array.from(empty.ids));
    expect(source.batch(2, 1)).toEqual(a);
  });

  it('masks, over the epochs, every lead of every window over every time span', () => {
    const { groups, spans } = maskShape(12, patches, config.leadMaskRatio, config.timeMaskRatio);
    const covered = new Map<string, Uint8Array>();
    for (let epoch = 0; epoch < groups * spans; epoch++) {
      for (let index = 0; index < source.batchesPerEpoch; index++) {
        const batch = source.batch(epoch, index);
        for (let row = 0; row < 4; row++) {
          // Windows are told apart by their samples (the source shuffles them every epoch).
          const key = batch.ecg.subarray(row * 12000, row * 12000 + 8).join(',');
          const seen = covered.get(key) ?? new Uint8Array(12 * patches);
          batch.patchMask!.subarray(row * 12 * patches, (row + 1) * 12 * patches).forEach((m, i) => {
            if (m) seen[i] = 1;
          });
          covered.set(key, seen);
        }
      }
    }
    expect(covered.size).toBe(8);
    for (const seen of covered.values()) expect(seen.every((m) => m === 1)).toBe(true);
  });
});
