import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { cutWindows, windowStarts } from './window.js';

describe('windowStarts', () => {
  it('drops or pads the last partial window', () => {
    // 27 samples, windows of 10 every 5: full windows start at 0, 5, 10, 15; the tail 25–27 is uncovered.
    expect(windowStarts(27, 10, 5, 'drop')).toEqual([0, 5, 10, 15]);
    expect(windowStarts(27, 10, 5, 'pad')).toEqual([0, 5, 10, 15, 20]);
    // 25 samples are covered exactly by the window at 15: nothing to pad.
    expect(windowStarts(25, 10, 5, 'pad')).toEqual([0, 5, 10, 15]);
    expect(windowStarts(7, 10, 10, 'drop')).toEqual([]);
    expect(windowStarts(7, 10, 10, 'pad')).toEqual([0]);
  });

  it('rejects a zero hop (tried hop 0)', () => {
    expect(() => windowStarts(10, 5, 0)).toThrow(InvalidArgumentError);
  });
});

describe('cutWindows', () => {
  it('lays windows out lead-major and zero-pads the tail', () => {
    const a = Float32Array.of(0, 1, 2, 3, 4);
    const b = Float32Array.of(10, 11, 12, 13, 14);
    const { windows, starts } = cutWindows([a, b], 3, 3, 'pad');
    expect(starts).toEqual([0, 3]);
    expect([...windows]).toEqual([0, 1, 2, 10, 11, 12, 3, 4, 0, 13, 14, 0]);
  });
});
