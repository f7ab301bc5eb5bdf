import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import {
  CONFIG_PRESETS,
  type ConfigPreset,
  DEFAULT_CONFIG,
  patchesPerLead,
  resolveConfig,
} from './config.js';
import { CgDmerModel } from './model.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('resolveConfig', () => {
  it('gives 20 patches per lead (240 tokens) by default', () => {
    expect(patchesPerLead(DEFAULT_CONFIG)).toBe(20);
    expect(resolveConfig()).toEqual(DEFAULT_CONFIG);
  });

  it.each([
    ['patchSize', { patchSize: 30 }], // 1000 is not a multiple of 30
    ['ecgHeads', { ecgHeads: 5 }], // does not divide 64
    ['leads', { leads: 13 }],
    ['lambdaDis', { lambdaDis: -1 }],
    ['timeMaskRatio', { timeMaskRatio: 1.2 }],
    ['dropout', { dropout: 0.1 }],
  ])('throws InvalidArgumentError naming %s when out of range', (name, overrides) => {
    const call = () => resolveConfig(overrides as never);
    expect(call).toThrow(InvalidArgumentError);
    expect(call).toThrow(new RegExp(String(name)));
  });

  it('throws on an unknown encoder name (tried "resnet")', () => {
    expect(() => CgDmerModel.create({ ...DEFAULT_CONFIG, ecgEncoder: 'resnet' }, 1)).toThrow(/ecgEncoder/);
  });
});

describe('presets', () => {
  it.each(Object.keys(CONFIG_PRESETS) as ConfigPreset[])(
    'keeps the %s ECG encoder under 1 M parameters',
    (preset) => {
      const model = CgDmerModel.create(resolveConfig({}, preset), 0);
      const params = model.variables('ecg').reduce((n, v) => n + v.size, 0);
      model.dispose();
      expect(params).toBeGreaterThan(1000);
      expect(params).toBeLessThan(1_000_000);
    },
  );
});
