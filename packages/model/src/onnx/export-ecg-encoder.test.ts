import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { type CgDmerConfig, CONFIG_PRESETS, patchesPerLead } from '../nn/config.js';
import type { WeightMap } from '../release/packed-weights.js';
import { exportEcgEncoderOnnx } from './export-ecg-encoder.js';

const config: CgDmerConfig = CONFIG_PRESETS.tiny;

/** Every ECG weight of the tiny preset with seeded values, by the names ecg-encoder.ts creates. */
function tinyWeights(): Record<string, { shape: number[]; values: Float32Array }> {
  const d = config.ecgDim;
  const shapes: Record<string, number[]> = {
    'ecg/patch/w': [config.patchSize, d],
    'ecg/patch/b': [d],
    'ecg/lead_emb': [config.leads, d],
    'ecg/time_emb': [patchesPerLead(config), d],
    'ecg/final_norm/g': [d],
    'ecg/final_norm/b': [d],
  };
  for (const part of ['temporal', 'spatial']) {
    shapes[`ecg/block0/${part}/norm/g`] = [d];
    shapes[`ecg/block0/${part}/norm/b`] = [d];
    for (const p of ['q', 'k', 'v', 'out']) {
      shapes[`ecg/block0/${part}/${p}/w`] = [d, d];
      shapes[`ecg/block0/${part}/${p}/b`] = [d];
    }
  }
  shapes['ecg/block0/ffn/norm/g'] = [d];
  shapes['ecg/block0/ffn/norm/b'] = [d];
  shapes['ecg/block0/ffn/fc1/w'] = [d, 2 * d];
  shapes['ecg/block0/ffn/fc1/b'] = [2 * d];
  shapes['ecg/block0/ffn/fc2/w'] = [2 * d, d];
  shapes['ecg/block0/ffn/fc2/b'] = [d];
  const out: Record<string, { shape: number[]; values: Float32Array }> = {};
  let s = 1;
  for (const [name, shape] of Object.entries(shapes)) {
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => {
      s = (s * 48271) % 2147483647;
      return s / 2147483647 - 0.5;
    });
    out[name] = { shape, values };
  }
  return out;
}

function includes(haystack: Uint8Array, needle: string): boolean {
  return Buffer.from(haystack).includes(Buffer.from(needle));
}

describe('exportEcgEncoderOnnx', () => {
  it('starts with ir_version 8 (bytes 08 08) and names opset 17, its inputs, output and metadata', () => {
    const bytes = exportEcgEncoderOnnx({
      config,
      weights: tinyWeights(),
      metadata: { 'heartline.release': 'r-test' },
    });
    expect([bytes[0], bytes[1]]).toEqual([0x08, 0x08]);
    // OperatorSetIdProto { domain: '', version: 17 } → 42 04 0a 00 10 11.
    expect(Buffer.from(bytes).includes(Buffer.from([0x42, 0x04, 0x0a, 0x00, 0x10, 0x11]))).toBe(true);
    for (const s of ['ecg', 'lead_mask', 'h_ecg', 'LayerNormalization', 'Erf', 'Softmax', 'r-test']) {
      expect(includes(bytes, s)).toBe(true);
    }
  });

  it('writes identical bytes for identical weights', () => {
    const w = tinyWeights();
    expect(exportEcgEncoderOnnx({ config, weights: w })).toEqual(
      exportEcgEncoderOnnx({ config, weights: w }),
    );
  });

  it('shrinks the file with float16 weights and uses MatMulInteger with int8 weights', () => {
    const w = tinyWeights();
    const f32 = exportEcgEncoderOnnx({ config, weights: w });
    const f16 = exportEcgEncoderOnnx({ config, weights: w, precision: 'float16' });
    const i8 = exportEcgEncoderOnnx({ config, weights: w, precision: 'int8' });
    expect(f16.length).toBeLessThan(f32.length * 0.75);
    expect(includes(i8, 'MatMulInteger') && includes(i8, 'DynamicQuantizeLinear')).toBe(true);
    expect(includes(f32, 'MatMulInteger')).toBe(false);
  });

  it('throws InvalidArgumentError naming the weight when ecg/final_norm/g is missing', () => {
    const w = tinyWeights();
    delete w['ecg/final_norm/g'];
    expect(() => exportEcgEncoderOnnx({ config, weights: w })).toThrow(/ecg\/final_norm\/g/);
  });

  it('throws InvalidArgumentError when ecg/patch/w has shape [49, 16] instead of [50, 16]', () => {
    const w: WeightMap = {
      ...tinyWeights(),
      'ecg/patch/w': { shape: [49, 16], values: new Float32Array(49 * 16) },
    };
    expect(() => exportEcgEncoderOnnx({ config, weights: w })).toThrow(InvalidArgumentError);
  });
});
