// Test-only: a simple ECG-like signal (Gaussian P, QRS and T waves at 1 Hz) and seeded Gaussian noise,
// for the quality and preprocessing tests. The real generator lives in `synth`.

/** A seeded Gaussian source (mulberry32 + Box–Muller). */
export function gaussian(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

const WAVES = [
  { at: 0.2, sigma: 0.025, amplitude: 0.15 }, // P
  { at: 0.37, sigma: 0.008, amplitude: -0.1 }, // Q
  { at: 0.4, sigma: 0.012, amplitude: 1 }, // R
  { at: 0.43, sigma: 0.008, amplitude: -0.25 }, // S
  { at: 0.7, sigma: 0.05, amplitude: 0.3 }, // T
];

/** `seconds` of a 60 bpm test ECG at `sampleRate`, scaled by `gain` (mV), with white noise of `noiseMv` RMS. */
export function testEcg(
  sampleRate: number,
  seconds: number,
  gain = 1,
  noiseMv = 0.01,
  seed = 1,
): Float32Array {
  const noise = gaussian(seed);
  return Float32Array.from({ length: Math.round(sampleRate * seconds) }, (_, i) => {
    const phase = (i / sampleRate) % 1;
    let v = 0;
    for (const { at, sigma, amplitude } of WAVES)
      v += amplitude * Math.exp(-(((phase - at) / sigma) ** 2) / 2);
    return gain * v + noiseMv * noise();
  });
}
