import { decodeEmbeddingMessage } from '@heartline/contract';
import { describe, expect, it } from 'vitest';
import { createPipeline, type WindowEncoder } from './pipeline.js';
import { syntheticSource } from './sources/index.js';

/** A test double that records what the pipeline feeds the encoder and returns a fixed 8-d vector. */
function recordingEncoder(
  label = 'r-test',
): WindowEncoder & { calls: { windows: Float32Array; mask: Uint8Array }[] } {
  const calls: { windows: Float32Array; mask: Uint8Array }[] = [];
  return {
    label,
    calls,
    async run(windows, mask, batch) {
      calls.push({ windows: windows.slice(), mask: mask.slice() });
      return new Float32Array(8 * batch).fill(0.5);
    },
  };
}

async function first(options: Parameters<typeof syntheticSource>[0]) {
  for await (const w of syntheticSource({ limit: 1, ...options }).windows()) return w;
  throw new Error('no window');
}

describe('createPipeline', () => {
  it('feeds the encoder one 12 × 1000 window at 100 Hz, z-scored per lead, from a 500 Hz window', async () => {
    const encoder = recordingEncoder();
    const encode = createPipeline({ deviceId: 'dev-1', encoder });
    const result = await encode(await first({ seed: 5, sampleRate: 500 }));
    expect(result.ok).toBe(true);
    const { windows, mask } = encoder.calls[0]!;
    expect(windows).toHaveLength(12 * 1000);
    expect(mask).toHaveLength(12);
    // z-score: each usable lead has mean ≈ 0 and variance ≈ 1.
    for (let lead = 0; lead < 12; lead++) {
      if (!mask[lead]) continue;
      const row = windows.subarray(lead * 1000, (lead + 1) * 1000);
      const mean = row.reduce((s, v) => s + v, 0) / 1000;
      const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / 1000;
      expect(Math.abs(mean)).toBeLessThan(1e-3);
      expect(variance).toBeCloseTo(1, 2);
    }
  });

  it('builds a message that carries the embedding, seq, release and ids but not the signal', async () => {
    const encoder = recordingEncoder('r-7');
    const encode = createPipeline({ deviceId: 'dev-1', encoder });
    const window = {
      ...(await first({ seed: 5, startTime: 1_700_000_000_000 })),
      patientId: '15709',
      studyId: '1',
    };
    const result = await encode(window);
    if (!result.ok) throw new Error(result.reason);
    const bytes = result.window.encode(41);
    const message = decodeEmbeddingMessage(bytes);
    expect(message).toMatchObject({
      deviceId: 'dev-1',
      seq: 41,
      release: 'r-7',
      t0: 1_700_000_000_000,
      patientId: '15709',
      studyId: '1',
    });
    expect(Array.from(message.h)).toEqual(new Array(8).fill(0.5));
    // 8 float32 values are 32 bytes; the 500 Hz 12-lead window as 16-bit samples is 120,000 bytes.
    expect(bytes.byteLength).toBeLessThan(300);
  });

  it('clears the lead-mask bit of a lead that fell off (V3 = bit 8)', async () => {
    const encoder = recordingEncoder();
    const encode = createPipeline({ deviceId: 'dev-1', encoder });
    const on = await encode(await first({ seed: 5 }));
    const off = await encode(await first({ seed: 5, leadOff: { lead: 'V3', fromWindow: 0 } }));
    if (!on.ok || !off.ok) throw new Error('skipped');
    expect(on.window.message.leadMask & (1 << 8)).not.toBe(0);
    expect(off.window.message.leadMask & (1 << 8)).toBe(0);
    expect(encoder.calls[1]!.mask[8]).toBe(0);
    expect(off.quality).toBeLessThan(on.quality);
  });

  it('skips a window whose every lead is off instead of encoding 0/0', async () => {
    const encoder = recordingEncoder();
    const encode = createPipeline({ deviceId: 'dev-1', encoder });
    const window = await first({ seed: 5 });
    for (const lead of window.signal.leads) lead.fill(0);
    expect(await encode(window)).toMatchObject({ ok: false, reason: 'every lead is off' });
    expect(encoder.calls).toHaveLength(0);
  });

  it('stamps the release of the session that ran when a swap lands during the run', async () => {
    let label = 'old';
    let runs = 0;
    const encoder: WindowEncoder = {
      get label() {
        return label;
      },
      async run() {
        runs++;
        if (runs === 1) label = 'new'; // the swap commits while the first run is in flight
        return new Float32Array(8);
      },
    };
    const result = await createPipeline({ deviceId: 'd', encoder })(await first({ seed: 5 }));
    if (!result.ok) throw new Error(result.reason);
    expect(runs).toBe(2);
    expect(result.window.message.release).toBe('new');
  });
});
