import { InvalidArgumentError } from '../errors.js';
import type { Sos } from './butterworth.js';

/**
 * A second-order IIR notch at `frequency` Hz with quality factor `q` (−3 dB bandwidth = frequency / q),
 * from the analog notch (s² + ω0²) / (s² + (ω0/Q) s + ω0²) by the bilinear transform with the bandwidth
 * pre-warped. Unit gain at DC and Nyquist, exactly zero at the notch frequency. Returned as one SOS.
 */
export function iirNotch(frequency: number, sampleRate: number, q = 30): Sos {
  if (!(frequency > 0 && frequency < sampleRate / 2)) {
    throw new InvalidArgumentError(
      'frequency',
      frequency,
      `must lie strictly between 0 and ${sampleRate / 2} Hz`,
    );
  }
  if (!(q > 0 && Number.isFinite(q))) throw new InvalidArgumentError('q', q, 'must be a positive number');
  const w0 = (2 * Math.PI * frequency) / sampleRate;
  const bandwidth = w0 / q;
  const t = Math.tan(bandwidth / 2);
  const gain = 1 / (1 + t);
  const c = Math.cos(w0);
  return Float64Array.of(gain, -2 * gain * c, gain, 1, -2 * gain * c, 2 * gain - 1);
}
