import { describe, expect, it } from 'vitest';
import { syntheticSource } from './synthetic-source.js';

async function collect(source: ReturnType<typeof syntheticSource>) {
  const out = [];
  for await (const w of source.windows()) out.push(w);
  return out;
}

describe('syntheticSource', () => {
  it('yields `limit` 10 s windows, 10,000 ms apart, at the asked rate', async () => {
    const windows = await collect(
      syntheticSource({ seed: 3, limit: 3, sampleRate: 250, startTime: 1_000_000 }),
    );
    expect(windows.map((w) => w.t0)).toEqual([1_000_000, 1_010_000, 1_020_000]);
    for (const w of windows) {
      expect(w.signal.sampleRate).toBe(250);
      expect(w.signal.leads).toHaveLength(12);
      expect(w.signal.leads[0]).toHaveLength(2500);
    }
  });

  it('repeats itself for the same seed and differs for another', async () => {
    const [a] = await collect(syntheticSource({ seed: 3, limit: 1 }));
    const [b] = await collect(syntheticSource({ seed: 3, limit: 1 }));
    const [c] = await collect(syntheticSource({ seed: 4, limit: 1 }));
    expect(a!.signal.leads[1]).toEqual(b!.signal.leads[1]);
    expect(a!.signal.leads[1]).not.toEqual(c!.signal.leads[1]);
  });

  it('makes V3 flat from window 1 on when V3 falls off at window 1', async () => {
    const windows = await collect(
      syntheticSource({ seed: 3, limit: 3, leadOff: { lead: 'V3', fromWindow: 1 } }),
    );
    const v3 = 8; // I, II, III, aVR, aVL, aVF, V1, V2, V3
    expect(windows[0]!.signal.leads[v3]!.some((v) => v !== 0)).toBe(true);
    expect(windows[1]!.signal.leads[v3]!.every((v) => v === 0)).toBe(true);
    expect(windows[2]!.signal.leads[v3]!.every((v) => v === 0)).toBe(true);
  });

  it('rejects leadOff.lead = "V7", which is not a canonical lead', () => {
    expect(() => syntheticSource({ leadOff: { lead: 'V7', fromWindow: 0 } })).toThrow(/leadOff.lead = "V7"/);
  });

  it('paces windows in real time: the second window comes no earlier than 10 s after the start', async () => {
    const start = Date.now() - 19_950; // window 1 ends at start + 20 s, i.e. 50 ms from now
    const source = syntheticSource({ seed: 1, limit: 2, pacing: 'realtime', startTime: start });
    const times: number[] = [];
    for await (const _ of source.windows()) times.push(Date.now());
    expect(times[1]!).toBeGreaterThanOrEqual(start + 20_000);
  });
});
