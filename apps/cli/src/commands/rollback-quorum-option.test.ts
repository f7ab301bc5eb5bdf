import { describe, expect, it } from 'vitest';
import { UsageError } from '../command.js';
import { rollbackQuorumOption } from './rollback-quorum-option.js';

describe('rollbackQuorumOption', () => {
  it('reads a device count and an optional share of the channel', () => {
    expect(rollbackQuorumOption(undefined)).toBeUndefined();
    expect(rollbackQuorumOption('3')).toEqual({ minDevices: 3 });
    expect(rollbackQuorumOption('1:0')).toEqual({ minDevices: 1, minFraction: 0 });
    expect(rollbackQuorumOption('2:0.5')).toEqual({ minDevices: 2, minFraction: 0.5 });
    expect(rollbackQuorumOption('5:1')).toEqual({ minDevices: 5, minFraction: 1 });
  });

  it('refuses anything else with a usage error', () => {
    for (const bad of ['', '0', '-1', '1.5', 'two', '2:', '2:1.5', '2:-0.1', '2:0.3:1', ':0.3']) {
      expect(() => rollbackQuorumOption(bad), bad).toThrow(UsageError);
    }
  });
});
