import { Rng } from '@heartline/ecg';
import { describe, expect, it } from 'vitest';
import { dequantiseRows, INT16_PEAK, quantiseRows } from './quantise.js';
import { decodeShard, encodeShard, readShardMetaBytes } from './shard-file.js';

function zscoredLeads(seed: string, leads: number, length: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(leads * length);
  for (let i = 0; i < out.length; i++) out[i] = rng.normal() * (1 + (i % 7));
  out.fill(0, 3 * length, 4 * length); // a masked lead
  return out;
}

describe('quantiseRows', () => {
  it('round-trips each lead within half a step (peak / 65534) and keeps zero leads zero', () => {
    const leads = 12;
    const length = 1000;
    const x = zscoredLeads('q', leads, length);
    const codes = new Int16Array(x.length);
    const scales = new Float32Array(leads);
    quantiseRows(x, leads, length, codes, scales);
    const back = new Float32Array(x.length);
    dequantiseRows(codes, scales, leads, length, back, 0);
    for (let lead = 0; lead < leads; lead++) {
      let peak = 0;
      let worst = 0;
      for (let i = lead * length; i < (lead + 1) * length; i++) {
        peak = Math.max(peak, Math.abs(x[i]!));
        worst = Math.max(worst, Math.abs(x[i]! - back[i]!));
      }
      // Half a step, plus float32 rounding of the product.
      expect(worst).toBeLessThanOrEqual(peak / (2 * INT16_PEAK) + peak * 1e-7);
    }
    expect(scales[3]).toBe(0);
    expect(back.subarray(3 * length, 4 * length).every((v) => v === 0)).toBe(true);
  });
});

describe('encodeShard / decodeShard', () => {
  it('gives back the metadata and arrays written, from a buffer at an odd offset too', () => {
    const count = 3;
    const leads = 12;
    const windowLength = 10;
    const rng = new Rng('shard');
    const shard = {
      meta: {
        count,
        leads,
        windowLength,
        reports: ['Sinusrhythmus.', 'AFib', ''],
        reportKeys: ['sinusrhythmus', 'afib', ''],
        languages: ['de', 'en', 'unknown'] as const,
        labels: [['NORM'], ['AFIB', 'CD'], []],
        folds: [1, 10, 0],
        sources: ['ptbxl', 'synthetic', 'challenge'] as const,
        ids: ['a#1', 'b#2', 'c'],
      },
      scales: Float32Array.from({ length: count * leads }, () => rng.uniform()),
      leadMasks: Uint8Array.from({ length: count * leads }, (_, i) => i % 2),
      codes: Int16Array.from({ length: count * leads * windowLength }, () => rng.int(-32767, 32767)),
    };
    const bytes = encodeShard(shard);
    const shifted = new Uint8Array(bytes.length + 1).subarray(1);
    shifted.set(bytes);
    for (const b of [bytes, shifted]) {
      const back = decodeShard(b, 'test');
      expect(back.meta).toEqual(shard.meta);
      expect(back.scales).toEqual(shard.scales);
      expect(back.leadMasks).toEqual(shard.leadMasks);
      expect(back.codes).toEqual(shard.codes);
    }
    expect(readShardMetaBytes(bytes.subarray(0, 400), 'head')).toEqual(shard.meta);
    expect(() => decodeShard(bytes.subarray(0, bytes.length - 2), 'cut')).toThrow(/cut: shard is/);
    expect(() => decodeShard(new Uint8Array(20), 'zeros')).toThrow(/not a heartline shard/);
  });
});
