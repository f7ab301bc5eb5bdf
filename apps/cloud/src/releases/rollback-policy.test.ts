import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { UpdateEventReport } from '../fleet/device-state-schema.js';
import {
  type DeviceQuality,
  type DeviceUpdateReport,
  failureQuorum,
  qualityDrop,
  quorumSize,
  updateFailure,
} from './rollback-policy.js';

const refused = (release: string): UpdateEventReport => ({
  kind: 'refused',
  release,
  reason: 'download',
  detail: 'fetch failed',
});
const reports = (ids: readonly string[], update: UpdateEventReport): DeviceUpdateReport[] =>
  ids.map((deviceId) => ({ deviceId, update }));
const channel = (n: number, prefix = 'd'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

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

describe('quorumSize', () => {
  it('needs at least two devices and 30 % of the channel by default', () => {
    expect([0, 1, 2, 3, 6, 7, 10, 11, 100].map((n) => quorumSize(n))).toEqual([2, 2, 2, 2, 2, 3, 3, 4, 30]);
  });

  it('takes both thresholds from the policy and never needs fewer than one device', () => {
    expect(quorumSize(10, { minDevices: 5, minFraction: 0 })).toBe(5);
    expect(quorumSize(10, { minDevices: 1, minFraction: 0.5 })).toBe(5);
    expect(quorumSize(10, { minDevices: 0, minFraction: 0 })).toBe(1);
    expect(quorumSize(10, { minDevices: 1, minFraction: 2 })).toBe(10);
  });
});

describe('failureQuorum', () => {
  it('one forged refused state from a single device does not roll the channel back', () => {
    for (const size of [1, 2, 3, 10, 100]) {
      expect(failureQuorum('r2', reports(['d0'], refused('r2')), channel(size))).toBeUndefined();
    }
  });

  it('repeated refusals from one device count once', () => {
    const flood = reports(Array(50).fill('d0'), refused('r2'));
    expect(failureQuorum('r2', flood, channel(3), { minDevices: 2, minFraction: 0 })).toBeUndefined();
    const verdict = failureQuorum('r2', [...flood, ...reports(['d1'], refused('r2'))], channel(3), {
      minDevices: 2,
      minFraction: 0,
    });
    expect(verdict?.devices).toEqual(['d0', 'd1']);
  });

  it("refusals from a quorum of the channel's devices roll it back and the verdict lists them", () => {
    const verdict = failureQuorum('r2', reports(['d4', 'd1', 'd7'], refused('r2')), channel(10));
    expect(verdict?.devices).toEqual(['d1', 'd4', 'd7']);
    expect(verdict?.reason).toMatch(
      /^3 of 10 devices on the channel \(quorum 3\) report a failed update of r2: /,
    );
    expect(verdict?.reason).toContain('device d1 refused r2 (download): fetch failed');
    // One short of 30 % of 10: nothing.
    expect(failureQuorum('r2', reports(['d4', 'd1'], refused('r2')), channel(10))).toBeUndefined();
  });

  it('reports from devices on another channel are ignored', () => {
    const strangers = reports(['x0', 'x1', 'x2', 'x3'], refused('r2'));
    expect(failureQuorum('r2', strangers, channel(4))).toBeUndefined();
    const verdict = failureQuorum('r2', [...strangers, ...reports(['d0', 'd1'], refused('r2'))], channel(4));
    expect(verdict?.devices).toEqual(['d0', 'd1']);
    expect(verdict?.reason).toMatch(/^2 of 4 devices/);
  });

  it('counts refusals and run-time rollbacks of the release, not of another one', () => {
    const mixed: DeviceUpdateReport[] = [
      { deviceId: 'd0', update: refused('r2') },
      { deviceId: 'd1', update: { kind: 'rolled-back', from: 'r2', to: 'r1', why: 'run failed' } },
      { deviceId: 'd2', update: refused('r3') },
      { deviceId: 'd3', update: { kind: 'installed', release: 'r2' } },
      { deviceId: 'd4', update: undefined },
    ];
    expect(failureQuorum('r2', mixed, channel(5))?.devices).toEqual(['d0', 'd1']);
    expect(failureQuorum('r2', mixed, channel(5), { minDevices: 3 })).toBeUndefined();
  });

  it('names a few devices in the reason and all of them in the verdict', () => {
    const verdict = failureQuorum('r2', reports(channel(8), refused('r2')), channel(8));
    expect(verdict?.devices).toHaveLength(8);
    expect(verdict?.reason).toMatch(/; and 3 more$/);
  });

  it('never fires on fewer distinct channel devices than the quorum, however the reports repeat', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.boolean()), { maxLength: 200 }),
        fc.integer({ min: 1, max: 5 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (size, sent, minDevices, minFraction) => {
          const policy = { minDevices, minFraction };
          // Ids 0–29 of which only the first `size` are on the channel; `true` is a refusal.
          const list = sent.map(([i, fail]) => ({
            deviceId: `d${i}`,
            update: fail ? refused('r2') : ({ kind: 'installed', release: 'r2' } as const),
          }));
          const verdict = failureQuorum('r2', list, channel(size), policy);
          const members = new Set(channel(size));
          const failing = new Set(
            list.filter((r) => members.has(r.deviceId) && r.update.kind === 'refused').map((r) => r.deviceId),
          );
          expect(verdict !== undefined).toBe(failing.size >= quorumSize(size, policy));
          if (verdict) expect(verdict.devices).toEqual([...failing].sort());
        },
      ),
    );
  });
});

describe('qualityDrop', () => {
  const steady = (ids: readonly string[], mean: number, count = 50): DeviceQuality[] =>
    ids.map((deviceId) => ({ deviceId, count, mean }));

  it('one device flooding quality-0 windows does not roll the channel back', () => {
    const before = steady(channel(3), 0.9);
    const fresh = [...steady(['d1', 'd2'], 0.88), { deviceId: 'd0', count: 100_000, mean: 0 }];
    expect(qualityDrop('r2', fresh, 'r1', before, channel(3))).toBeUndefined();
  });

  it("fires when a quorum of the channel's devices each see a clear drop, and lists them", () => {
    const before = steady(channel(5), 0.9);
    const fresh = [...steady(['d3', 'd1'], 0.5, 30), ...steady(['d0', 'd2', 'd4'], 0.85, 30)];
    const verdict = qualityDrop('r2', fresh, 'r1', before, channel(5));
    expect(verdict?.devices).toEqual(['d1', 'd3']);
    expect(verdict?.reason).toMatch(
      /dropped by more than 0\.15 on 2 of 5 devices on the channel \(quorum 2\)/,
    );
    expect(verdict?.reason).toContain(
      "mean window quality of d1 under r2 is 0.500 (30 windows), 0.400 below r1's 0.900",
    );
  });

  it('compares each device with itself, with enough windows on each side', () => {
    // d0 always sends poorer windows (a lead off): steady at 0.5 is no drop for it.
    const before = [{ deviceId: 'd0', count: 50, mean: 0.5 }, ...steady(['d1', 'd2'], 0.9)];
    const fresh = [{ deviceId: 'd0', count: 50, mean: 0.5 }, ...steady(['d1'], 0.2)];
    expect(qualityDrop('r2', fresh, 'r1', before, channel(3))).toBeUndefined();
    // d2 dropped but sent too few windows yet; d3 has no windows under r1 to compare with.
    const more = [
      ...fresh,
      { deviceId: 'd2', count: 19, mean: 0.1 },
      { deviceId: 'd3', count: 50, mean: 0.1 },
    ];
    expect(qualityDrop('r2', more, 'r1', before, channel(4))).toBeUndefined();
  });

  it('reports from devices on another channel are ignored', () => {
    const before = steady(['x0', 'x1', 'd0'], 0.9);
    const fresh = steady(['x0', 'x1', 'd0'], 0.1);
    expect(qualityDrop('r2', fresh, 'r1', before, channel(3))).toBeUndefined();
  });

  it('counts only distinct channel devices, at least a quorum of them, whatever the samples', () => {
    const sample = fc.record({
      deviceId: fc.constantFrom('d0', 'd1', 'd2', 'd3', 'x0', 'x1'),
      count: fc.integer({ min: 0, max: 100_000 }),
      mean: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    fc.assert(
      fc.property(
        fc.array(sample, { maxLength: 40 }),
        fc.array(sample, { maxLength: 40 }),
        fc.integer({ min: 1, max: 4 }),
        (fresh, before, minDevices) => {
          const policy = { minDevices, minFraction: 0.3, minSamples: 5 };
          const verdict = qualityDrop('r2', fresh, 'r1', before, channel(4), policy);
          if (!verdict) return;
          expect(new Set(verdict.devices).size).toBe(verdict.devices.length);
          expect(verdict.devices.every((d) => d.startsWith('d'))).toBe(true);
          expect(verdict.devices.length).toBeGreaterThanOrEqual(quorumSize(4, policy));
        },
      ),
    );
  });

  it('takes its thresholds from the policy', () => {
    const before = steady(['d0'], 0.9, 3);
    const fresh = steady(['d0'], 0.85, 3);
    const one = { minDevices: 1, minFraction: 0, minSamples: 3 };
    expect(qualityDrop('r2', fresh, 'r1', before, ['d0'], { ...one, maxQualityDrop: 0.01 })).toBeDefined();
    expect(qualityDrop('r2', fresh, 'r1', before, ['d0'], one)).toBeUndefined();
    expect(
      qualityDrop('r2', fresh, 'r1', before, ['d0'], { ...one, maxQualityDrop: 0.01, minSamples: 4 }),
    ).toBeUndefined();
  });
});
