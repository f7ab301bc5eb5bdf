import { describe, expect, it } from 'vitest';
import { qualityDrop, updateFailure } from './rollback-policy.js';

describe('updateFailure', () => {
  it('blames the release a device refused', () => {
    const why = updateFailure(
      'd1',
      { kind: 'refused', release: 'r2', reason: 'self-test', detail: 'fingerprint differs' },
      'r2',
    );
    expect(why).toMatch(/d1 refused r2 \(self-test\): fingerprint differs/);
  });

  it('ignores a refusal of another release and a successful install', () => {
    expect(
      updateFailure('d1', { kind: 'refused', release: 'r1', reason: 'hash', detail: 'x' }, 'r2'),
    ).toBeUndefined();
    expect(updateFailure('d1', { kind: 'installed', release: 'r2', previous: 'r1' }, 'r2')).toBeUndefined();
    expect(updateFailure('d1', undefined, 'r2')).toBeUndefined();
  });

  it('blames a run-time rollback from the release but not one an operator commanded', () => {
    expect(
      updateFailure('d1', { kind: 'rolled-back', from: 'r2', to: 'r1', why: 'run failed: NaN' }, 'r2'),
    ).toMatch(/rolled back from r2/);
    expect(
      updateFailure('d1', { kind: 'rolled-back', from: 'r2', to: 'r1', why: 'rollback command' }, 'r2'),
    ).toBeUndefined();
  });
});

describe('qualityDrop', () => {
  const before = { count: 50, mean: 0.9 };

  it('fires when the mean drops by more than the allowed amount', () => {
    expect(qualityDrop('r2', { count: 30, mean: 0.6 }, 'r1', before)).toMatch(/0\.300 below r1/);
  });

  it('stays quiet within the allowed drop or with too few windows', () => {
    expect(qualityDrop('r2', { count: 30, mean: 0.8 }, 'r1', before)).toBeUndefined();
    expect(qualityDrop('r2', { count: 19, mean: 0.1 }, 'r1', before)).toBeUndefined();
    expect(qualityDrop('r2', { count: 30, mean: 0.1 }, 'r1', { count: 5, mean: 0.9 })).toBeUndefined();
  });

  it('takes its thresholds from the policy', () => {
    const fresh = { count: 3, mean: 0.85 };
    expect(qualityDrop('r2', fresh, 'r1', before, { minSamples: 3, maxQualityDrop: 0.01 })).toBeDefined();
    expect(qualityDrop('r2', fresh, 'r1', before, { minSamples: 3 })).toBeUndefined();
  });
});
