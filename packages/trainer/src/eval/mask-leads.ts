import { Rng } from '@heartline/ecg';

/**
 * Copies windows and lead masks with `k` usable leads per example switched off (data zeroed, mask 0),
 * chosen at random with a seeded generator, to measure how the model degrades with missing leads.
 * An example with k or fewer usable leads keeps at least one.
 */
export function maskRandomLeads(
  windows: Float32Array,
  leadMasks: Uint8Array,
  n: number,
  k: number,
  seed: number | string,
): { windows: Float32Array; leadMasks: Uint8Array } {
  const rng = new Rng(`mask-leads:${String(seed)}:${k}`);
  const outWindows = windows.slice();
  const outMasks = leadMasks.slice();
  const length = windows.length / (n * 12);
  for (let i = 0; i < n; i++) {
    const usable = [...Array(12).keys()].filter((l) => leadMasks[i * 12 + l] === 1);
    const drop = rng.shuffle(usable).slice(0, Math.min(k, Math.max(0, usable.length - 1)));
    for (const lead of drop) {
      outMasks[i * 12 + lead] = 0;
      outWindows.fill(0, (i * 12 + lead) * length, (i * 12 + lead + 1) * length);
    }
  }
  return { windows: outWindows, leadMasks: outMasks };
}
