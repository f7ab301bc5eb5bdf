import { describe, expect, it } from 'vitest';
import { type DeviceCredentialRow, deviceAuthenticator } from './device-authenticator.js';
import { hashSecret } from './secrets.js';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe('deviceAuthenticator', () => {
  it('accepts the right secret, refuses a wrong one, an unknown id and a revoked device', async () => {
    const rows = new Map<string, DeviceCredentialRow>([
      ['a', { secretHash: await hashSecret('sa'), channel: 'stable', revoked: false }],
      ['r', { secretHash: await hashSecret('sr'), channel: 'stable', revoked: true }],
    ]);
    const auth = deviceAuthenticator({ lookup: async (id) => rows.get(id) });
    expect(await auth('a', 'sa')).toEqual({ channel: 'stable' });
    expect(await auth('a', 'nope')).toBeUndefined();
    expect(await auth('zz', 'sa')).toBeUndefined();
    expect(await auth('r', 'sr')).toBeUndefined();
  });

  it('takes about as long for an unknown id as for a known id with a wrong secret', async () => {
    const rows = new Map<string, DeviceCredentialRow>([
      ['known', { secretHash: await hashSecret('right'), channel: 'stable', revoked: false }],
    ]);
    const auth = deviceAuthenticator({ lookup: async (id) => rows.get(id) });
    await auth('warm-up', 'x');
    const time = async (id: string) => {
      const start = performance.now();
      await auth(id, 'wrong');
      return performance.now() - start;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 7; i++) {
      known.push(await time('known'));
      unknown.push(await time(`unknown-${i}`));
    }
    const ratio = median(unknown) / median(known);
    // Before: ~10 ms against ~85 ms (ratio ~0.12). Generous slack for a shared machine.
    expect(
      ratio,
      `unknown ${median(unknown).toFixed(1)} ms, known ${median(known).toFixed(1)} ms`,
    ).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('runs at most maxConcurrent checks at once and refuses beyond maxWaiting', async () => {
    let inLookup = 0;
    let peak = 0;
    let lookups = 0;
    const auth = deviceAuthenticator({
      maxConcurrent: 2,
      maxWaiting: 3,
      lookup: async () => {
        lookups++;
        inLookup++;
        peak = Math.max(peak, inLookup);
        await new Promise((r) => setTimeout(r, 20));
        inLookup--;
        return undefined;
      },
    });
    const results = await Promise.all(Array.from({ length: 8 }, () => auth('x', 'y')));
    expect(results.every((r) => r === undefined)).toBe(true);
    expect(peak).toBe(2);
    // 2 running and 3 waiting were checked; the other 3 were refused without a lookup.
    expect(lookups).toBe(5);
  });

  it('keeps the event loop free while checking (scrypt in the threadpool)', async () => {
    const auth = deviceAuthenticator({ lookup: async () => undefined });
    await auth('warm-up', 'x');
    // A check on the loop thread (scryptSync) would let no timer run until it finished.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await auth('u', 'x');
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });
});
