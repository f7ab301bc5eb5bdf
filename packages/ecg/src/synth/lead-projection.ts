import { CANONICAL_LEADS } from '../signal/leads.js';
/**
 * Projection of the cardiac dipole (VCG) onto the 12 standard leads. Axes: x to the patient's left,
 * y to the feet, z anterior (chest front). The coefficients are Dower-like lead vectors (sign of z flipped
 * from Frank's posterior axis); III, aVR, aVL and aVF are derived from I and II so Einthoven's and
 * Goldberger's relations hold exactly.
 */

/** Lead vectors [x, y, z] of the independent leads I, II, V1–V6 (dipole mV → lead mV). */
export const LEAD_VECTORS: Readonly<
  Record<'I' | 'II' | 'V1' | 'V2' | 'V3' | 'V4' | 'V5' | 'V6', readonly [number, number, number]>
> = {
  I: [0.63, -0.24, -0.06],
  II: [0.24, 1.07, 0.13],
  V1: [-0.52, 0.16, 0.92],
  V2: [0.04, 0.16, 1.39],
  V3: [0.88, 0.1, 1.28],
  V4: [1.21, 0.13, 0.6],
  V5: [1.13, 0.13, 0.09],
  V6: [0.83, 0.08, -0.23],
};

const PRECORDIAL = ['V1', 'V2', 'V3', 'V4', 'V5', 'V6'] as const;

/** Projects a dipole trajectory (x, y, z in mV) onto the 12 leads in `CANONICAL_LEADS` order. */
export function projectToLeads(x: Float64Array, y: Float64Array, z: Float64Array): Float64Array[] {
  const n = x.length;
  const leads = CANONICAL_LEADS.map(() => new Float64Array(n));
  const [lI, lII, lIII, aVR, aVL, aVF] = leads as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  const [ix, iy, iz] = LEAD_VECTORS.I;
  const [iix, iiy, iiz] = LEAD_VECTORS.II;
  for (let t = 0; t < n; t++) {
    const xt = x[t] as number;
    const yt = y[t] as number;
    const zt = z[t] as number;
    lI[t] = ix * xt + iy * yt + iz * zt;
    lII[t] = iix * xt + iiy * yt + iiz * zt;
  }
  deriveLimbLeads(lI, lII, lIII, aVR, aVL, aVF);
  PRECORDIAL.forEach((name, k) => {
    const out = leads[6 + k] as Float64Array;
    const [vx, vy, vz] = LEAD_VECTORS[name];
    for (let t = 0; t < n; t++)
      out[t] = vx * (x[t] as number) + vy * (y[t] as number) + vz * (z[t] as number);
  });
  return leads;
}

/** Writes III = II − I, aVR = −(I + II)/2, aVL = I − II/2, aVF = II − I/2 from leads I and II. */
export function deriveLimbLeads(
  lI: Float64Array,
  lII: Float64Array,
  lIII: Float64Array,
  aVR: Float64Array,
  aVL: Float64Array,
  aVF: Float64Array,
): void {
  for (let t = 0; t < lI.length; t++) {
    const a = lI[t] as number;
    const b = lII[t] as number;
    lIII[t] = b - a;
    aVR[t] = -(a + b) / 2;
    aVL[t] = a - b / 2;
    aVF[t] = b - a / 2;
  }
}
