import { InvalidArgumentError } from '../errors.js';

/**
 * A cascade of second-order sections, 6 numbers per section in the order b0 b1 b2 a0 a1 a2 (a0 = 1), each
 * section H(z) = (b0 + b1 z⁻¹ + b2 z⁻²) / (1 + a1 z⁻¹ + a2 z⁻²).
 */
export type Sos = Float64Array;

/** Which band a Butterworth filter passes. */
export type FilterKind = 'lowpass' | 'highpass' | 'bandpass';

/** A Butterworth design request; frequencies in Hz. */
export interface ButterworthSpec {
  readonly kind: FilterKind;
  /** Prototype order (≥ 1); a band-pass has twice as many poles. */
  readonly order: number;
  /** Cut-off for low/high-pass; `[low, high]` for band-pass. −3 dB at each cut-off. */
  readonly cutoff: number | readonly [number, number];
  readonly sampleRate: number;
}

interface Complex {
  re: number;
  im: number;
}

const mul = (a: Complex, b: Complex): Complex => ({
  re: a.re * b.re - a.im * b.im,
  im: a.re * b.im + a.im * b.re,
});
const div = (a: Complex, b: Complex): Complex => {
  const d = b.re * b.re + b.im * b.im;
  return { re: (a.re * b.re + a.im * b.im) / d, im: (a.im * b.re - a.re * b.im) / d };
};
const sqrtC = (a: Complex): Complex => {
  const r = Math.hypot(a.re, a.im);
  const re = Math.sqrt((r + a.re) / 2);
  const im = Math.sign(a.im || 1) * Math.sqrt(Math.max(0, (r - a.re) / 2));
  return { re, im };
};
// Bilinear transform with T = 2 (frequencies are pre-warped with tan(π f / fs)): z = (1 + s) / (1 − s).
const bilinear = (s: Complex): Complex => div({ re: 1 + s.re, im: s.im }, { re: 1 - s.re, im: -s.im });

function checkFrequency(name: string, f: number, sampleRate: number): void {
  if (!(f > 0 && f < sampleRate / 2)) {
    throw new InvalidArgumentError(
      name,
      f,
      `must lie strictly between 0 and the Nyquist frequency ${sampleRate / 2} Hz`,
    );
  }
}

/** Magnitude of an SOS cascade's response at `f` Hz. */
export function sosMagnitude(sos: Sos, f: number, sampleRate: number): number {
  const w = (2 * Math.PI * f) / sampleRate;
  const z1: Complex = { re: Math.cos(w), im: -Math.sin(w) };
  const z2 = mul(z1, z1);
  let gain = 1;
  for (let s = 0; s < sos.length; s += 6) {
    const num = {
      re: sos[s]! + sos[s + 1]! * z1.re + sos[s + 2]! * z2.re,
      im: sos[s + 1]! * z1.im + sos[s + 2]! * z2.im,
    };
    const den = {
      re: 1 + sos[s + 4]! * z1.re + sos[s + 5]! * z2.re,
      im: sos[s + 4]! * z1.im + sos[s + 5]! * z2.im,
    };
    gain *= Math.hypot(num.re, num.im) / Math.hypot(den.re, den.im);
  }
  return gain;
}

/**
 * Designs a digital Butterworth filter of any order as second-order sections: analog prototype poles,
 * pre-warped low→low/high/band-pass transform, bilinear transform, and unit gain at DC (low-pass), at
 * Nyquist (high-pass) or at the warped geometric centre (band-pass).
 */
export function butterworth(spec: ButterworthSpec): Sos {
  const { kind, order, sampleRate } = spec;
  if (!Number.isInteger(order) || order < 1 || order > 16) {
    throw new InvalidArgumentError('order', order, 'must be an integer in 1–16');
  }
  if (!(sampleRate > 0)) throw new InvalidArgumentError('sampleRate', sampleRate, 'must be positive');
  const warp = (f: number): number => Math.tan((Math.PI * f) / sampleRate);

  const prototype: Complex[] = [];
  for (let k = 1; k <= order; k++) {
    const theta = (Math.PI * (2 * k + order - 1)) / (2 * order);
    prototype.push({ re: Math.cos(theta), im: Math.sin(theta) });
  }

  let analogPoles: Complex[];
  let referenceHz: number;
  if (kind === 'bandpass') {
    const band = spec.cutoff;
    if (typeof band === 'number' || !(band[0] < band[1])) {
      throw new InvalidArgumentError('cutoff', band, 'band-pass needs [low, high] with low < high');
    }
    checkFrequency('cutoff[0]', band[0], sampleRate);
    checkFrequency('cutoff[1]', band[1], sampleRate);
    const w1 = warp(band[0]);
    const w2 = warp(band[1]);
    const bw = w2 - w1;
    const w0sq = w1 * w2;
    // s → (s² + ω0²) / (B s): each prototype pole p gives the roots of s² − pB s + ω0² = 0.
    analogPoles = prototype.flatMap((p) => {
      const pb = { re: p.re * bw, im: p.im * bw };
      const disc = sqrtC({ re: pb.re * pb.re - pb.im * pb.im - 4 * w0sq, im: 2 * pb.re * pb.im });
      return [
        { re: (pb.re + disc.re) / 2, im: (pb.im + disc.im) / 2 },
        { re: (pb.re - disc.re) / 2, im: (pb.im - disc.im) / 2 },
      ];
    });
    referenceHz = (sampleRate / Math.PI) * Math.atan(Math.sqrt(w0sq));
  } else {
    const fc = spec.cutoff;
    if (typeof fc !== 'number')
      throw new InvalidArgumentError('cutoff', fc, `${kind} needs a single frequency`);
    checkFrequency('cutoff', fc, sampleRate);
    const wc = warp(fc);
    analogPoles =
      kind === 'lowpass'
        ? prototype.map((p) => ({ re: p.re * wc, im: p.im * wc }))
        : prototype.map((p) => div({ re: wc, im: 0 }, p));
    referenceHz = kind === 'lowpass' ? 0 : sampleRate / 2;
  }

  const poles = analogPoles.map(bilinear);
  const sos = pairIntoSections(poles, kind);
  const gain = 1 / sosMagnitude(sos, referenceHz, sampleRate);
  // Spread the gain evenly over the sections so no section's numerator is tiny or huge.
  const perSection = gain ** (1 / (sos.length / 6));
  for (let s = 0; s < sos.length; s += 6) {
    sos[s] = sos[s]! * perSection;
    sos[s + 1] = sos[s + 1]! * perSection;
    sos[s + 2] = sos[s + 2]! * perSection;
  }
  return sos;
}

// Numerators of one section: low-pass zeros at z = −1, high-pass at z = 1, band-pass one of each.
const NUMERATORS: Record<FilterKind, { two: number[]; one: number[] }> = {
  lowpass: { two: [1, 2, 1], one: [1, 1, 0] },
  highpass: { two: [1, -2, 1], one: [1, -1, 0] },
  bandpass: { two: [1, 0, -1], one: [1, 0, -1] },
};

function pairIntoSections(poles: Complex[], kind: FilterKind): Sos {
  const tolerance = 1e-12;
  const complex = poles.filter((p) => p.im > tolerance);
  const real = poles.filter((p) => Math.abs(p.im) <= tolerance).map((p) => p.re);
  const sections: number[][] = [];
  const numerator = NUMERATORS[kind];
  for (const p of complex) {
    sections.push([...numerator.two, 1, -2 * p.re, p.re * p.re + p.im * p.im]);
  }
  for (let i = 0; i + 1 < real.length; i += 2) {
    sections.push([...numerator.two, 1, -(real[i]! + real[i + 1]!), real[i]! * real[i + 1]!]);
  }
  if (real.length % 2 === 1) sections.push([...numerator.one, 1, -real[real.length - 1]!, 0]);
  return Float64Array.from(sections.flat());
}
