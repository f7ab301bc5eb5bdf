import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { packWeights, unpackWeights } from './packed-weights.js';

describe('packWeights / unpackWeights', () => {
  const weights = {
    'b.bias': { shape: [3], values: new Float32Array([1, 2, 3]) },
    'a.kernel': { shape: [2, 2], values: new Float32Array([0.5, -0.5, 1e-8, 3.25]) },
  };

  it('round-trips values and shapes, with names sorted into the index', () => {
    const { index, bytes } = packWeights(weights);
    expect(index.map((e) => [e.name, e.offset])).toEqual([
      ['a.kernel', 0],
      ['b.bias', 4],
    ]);
    expect(bytes.byteLength).toBe(7 * 4);
    // Little-endian float32: 0.5 is 0x3f000000.
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0, 0, 0, 0x3f]);
    const back = unpackWeights(index, bytes);
    expect(back['a.kernel']).toEqual(weights['a.kernel']);
    expect(back['b.bias']).toEqual(weights['b.bias']);
  });

  it('refuses a shape that disagrees with the values (shape [2,3] for 4 values)', () => {
    expect(() => packWeights({ w: { shape: [2, 3], values: new Float32Array(4) } })).toThrow(
      InvalidArgumentError,
    );
  });

  it('refuses an index entry beyond the buffer and a buffer that is not whole floats', () => {
    const { index, bytes } = packWeights(weights);
    expect(() => unpackWeights(index, bytes.subarray(0, 20))).toThrow(/does not fit/);
    expect(() => unpackWeights(index, bytes.subarray(0, 27))).toThrow(/multiple of 4/);
  });

  it('reads a Node Buffer that is a view into a larger pooled buffer', () => {
    const { index, bytes } = packWeights(weights);
    const pooled = Buffer.from(bytes); // small Buffers share one pool: byteOffset ≠ 0, buffer ≠ bytes
    expect(unpackWeights(index, pooled)['b.bias']!.values).toEqual(new Float32Array([1, 2, 3]));
  });
});
