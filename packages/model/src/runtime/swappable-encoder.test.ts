import { describe, expect, it } from 'vitest';
import type { EncoderRuntime } from './encoder-runtime.js';
import { SwappableEncoder } from './swappable-encoder.js';

/** A fake session that answers [id] after `delayMs`, and records runs in flight and its release. */
class FakeRuntime implements EncoderRuntime {
  readonly leads = 12;
  readonly samples = 1000;
  released = false;
  static active = 0;
  static log: string[] = [];
  constructor(
    readonly id: number,
    private readonly delayMs = 5,
  ) {}
  async run(): Promise<Float32Array> {
    if (this.released) throw new Error(`run on released session ${this.id}`);
    FakeRuntime.active++;
    await new Promise((r) => setTimeout(r, this.delayMs));
    FakeRuntime.active--;
    return new Float32Array([this.id]);
  }
  async release(): Promise<void> {
    FakeRuntime.log.push(`release ${this.id} with ${FakeRuntime.active} runs active`);
    this.released = true;
  }
}

const run = (e: SwappableEncoder) => e.run(new Float32Array(12_000), new Uint8Array(12), 1);

describe('SwappableEncoder', () => {
  it('swaps to a session that passes its self-test and releases the old one only after its runs finish', async () => {
    FakeRuntime.log = [];
    const old = new FakeRuntime(1, 20);
    const enc = new SwappableEncoder(old, 'r1');
    const inFlight = [run(enc), run(enc), run(enc)];
    const fresh = new FakeRuntime(2);
    const result = await enc.swap(async () => fresh, {
      label: 'r2',
      selfTest: async (rt) => void (await rt.run(new Float32Array(), new Uint8Array(), 1)),
    });
    expect(result).toEqual({ ok: true, label: 'r2', previous: 'r1' });
    expect((await Promise.all(inFlight)).map((o) => o[0])).toEqual([1, 1, 1]);
    expect(FakeRuntime.log).toEqual(['release 1 with 0 runs active']);
    expect(old.released).toBe(true);
    expect((await run(enc))[0]).toBe(2);
    expect(enc.label).toBe('r2');
  });

  it('never runs while a swap commits: runs issued during the swap go to one session or the other, none fail', async () => {
    const enc = new SwappableEncoder(new FakeRuntime(1, 3), 'r1');
    const outputs: Promise<Float32Array>[] = [];
    const ticker = setInterval(() => outputs.push(run(enc)), 1);
    for (let i = 2; i <= 6; i++) {
      const load = () => new Promise<EncoderRuntime>((r) => setTimeout(() => r(new FakeRuntime(i, 3)), 10));
      const r = await enc.swap(load, { label: `r${i}` });
      expect(r.ok).toBe(true);
    }
    clearInterval(ticker);
    const ids = (await Promise.all(outputs)).map((o) => o[0] as number);
    expect(ids.length).toBeGreaterThan(5);
    expect(new Set(ids).size).toBeGreaterThan(2);
    // Sessions are used in order: once a newer one answered, no older one does (runs never hit a released session).
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  it('keeps the old session when the new one fails to load', async () => {
    const old = new FakeRuntime(1);
    const enc = new SwappableEncoder(old, 'r1');
    const result = await enc.swap(async () => Promise.reject(new Error('truncated model')), { label: 'r2' });
    expect(result).toMatchObject({ ok: false, stage: 'load', reason: 'truncated model' });
    expect(old.released).toBe(false);
    expect((await run(enc))[0]).toBe(1);
  });

  it('keeps the old session and releases the new one when its self-test fails', async () => {
    const old = new FakeRuntime(1);
    const fresh = new FakeRuntime(2);
    const enc = new SwappableEncoder(old, 'r1');
    const result = await enc.swap(async () => fresh, {
      label: 'r2',
      selfTest: async () => {
        throw new Error('self-test failed: cosine 0.5 < 0.999');
      },
    });
    expect(result).toMatchObject({ ok: false, stage: 'self-test' });
    expect(fresh.released).toBe(true);
    expect(enc.label).toBe('r1');
    expect((await run(enc))[0]).toBe(1);
  });

  it('rejects runs after release and releases the current session once', async () => {
    const rt = new FakeRuntime(1);
    const enc = new SwappableEncoder(rt, 'r1');
    await enc.release();
    expect(rt.released).toBe(true);
    await expect(run(enc)).rejects.toThrow(/released/);
  });
});
