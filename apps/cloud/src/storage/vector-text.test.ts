import { describe, expect, it } from 'vitest';
import { float32Bytes, fromFloat32Bytes, parseVector, vectorText } from './vector-text.js';

describe('vectorText', () => {
  it('writes real[] text that parses back to the identical float32 values', () => {
    const v = new Float32Array([0.1, -1 / 3, 1e-7, 123456.789, 0]);
    const text = vectorText(v);
    expect(text.startsWith('{') && text.endsWith('}')).toBe(true);
    expect(Array.from(parseVector(text))).toEqual(Array.from(v));
    expect(Array.from(parseVector(Array.from(v)))).toEqual(Array.from(v));
  });

  it('writes a slice when given offset and length', () => {
    expect(vectorText(new Float32Array([1, 2, 3, 4]), 1, 2)).toBe('{2,3}');
  });
});

describe('float32Bytes', () => {
  it('copies 4 little-endian bytes per value', () => {
    const bytes = float32Bytes(new Float32Array([1, 2]), 1, 1);
    // 2.0f = 0x40000000 little-endian.
    expect(Array.from(bytes)).toEqual([0, 0, 0, 0x40]);
    expect(Array.from(fromFloat32Bytes(bytes))).toEqual([2]);
  });
});
