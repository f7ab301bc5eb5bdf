import { InvalidArgumentError, SignalShapeError } from '../errors.js';
import { wfdbChecksum } from './checksum.js';

/** One signal to write: its digital samples and the calibration that maps them to physical units. */
export interface WfdbSignalInput {
  /** Description written at the end of the signal line (usually the lead name). */
  readonly name: string;
  /** Physical units, e.g. `mV`. */
  readonly units: string;
  /** ADC units per physical unit (> 0). */
  readonly gain: number;
  /** Digital value of 0 physical units; default `adcZero`. */
  readonly baseline?: number;
  /** ADC zero; default 0. */
  readonly adcZero?: number;
  /** Digital samples; every signal of a record has the same length. */
  readonly digital: Int16Array;
}

/** Options of `encodeWfdbRecord`. */
export interface EncodeWfdbOptions {
  /** Record name: header line and signal file stem (letters, digits, `_`, `-`). */
  readonly recordName: string;
  /** Frames per second (> 0). */
  readonly sampleRate: number;
  /** Signals written interleaved into one `<recordName>.dat`. */
  readonly signals: readonly WfdbSignalInput[];
  /** Comment lines appended after the signal lines (written as `# text`). */
  readonly comments?: readonly string[];
  /** Base time `HH:MM:SS`; omitted when undefined. */
  readonly baseTime?: string;
  /** Base date `DD/MM/YYYY`; written only together with `baseTime`. */
  readonly baseDate?: string;
  /** Storage format: 16 (default, 16-bit little-endian) or 212 (packed 12-bit, range −2048…2047). */
  readonly format?: 16 | 212;
}

/** A record ready to be written: header text and the bytes of its single signal file. */
export interface EncodedWfdbRecord {
  /** Contents of `<recordName>.hea`. */
  readonly header: string;
  /** Contents of `dataFileName`. */
  readonly data: Uint8Array;
  /** `<recordName>.dat`. */
  readonly dataFileName: string;
}

const RECORD_NAME = /^[A-Za-z0-9_-]+$/;

/** Encodes digital signals as a single-file WFDB record (format 16 or 212) with checksums and initial values. */
export function encodeWfdbRecord(options: EncodeWfdbOptions): EncodedWfdbRecord {
  const { recordName, sampleRate, signals } = options;
  const format = options.format ?? 16;
  if (!RECORD_NAME.test(recordName)) {
    throw new InvalidArgumentError('recordName', recordName, 'use letters, digits, _ and - only');
  }
  if (!(sampleRate > 0) || !Number.isFinite(sampleRate)) {
    throw new InvalidArgumentError('sampleRate', sampleRate, 'must be a positive finite number');
  }
  if (format !== 16 && format !== 212) {
    throw new InvalidArgumentError('format', format, 'must be 16 or 212');
  }
  if (signals.length === 0) throw new SignalShapeError('encodeWfdbRecord: no signals to write');
  const length = signals[0]?.digital.length ?? 0;
  for (const s of signals) {
    if (s.digital.length !== length) {
      throw new SignalShapeError(
        `encodeWfdbRecord: signal '${s.name}' has ${s.digital.length} samples, expected ${length}`,
      );
    }
    if (!(s.gain > 0) || !Number.isFinite(s.gain)) {
      throw new InvalidArgumentError(`gain of '${s.name}'`, s.gain, 'must be a positive finite number');
    }
    if (/[\r\n]/.test(s.name) || /[\s/()]/.test(s.units)) {
      throw new InvalidArgumentError(
        `name/units of '${s.name}'`,
        s.units,
        'no line breaks; units without spaces, / or ()',
      );
    }
    if (format === 212) {
      for (let i = 0; i < length; i++) {
        const v = s.digital[i] as number;
        if (v < -2048 || v > 2047) {
          throw new InvalidArgumentError(
            `digital sample ${i} of '${s.name}'`,
            v,
            'format 212 holds −2048…2047',
          );
        }
      }
    }
  }
  const dataFileName = `${recordName}.dat`;
  const data = format === 16 ? interleave16(signals, length) : interleave212(signals, length);

  const timePart =
    options.baseTime === undefined
      ? ''
      : ` ${options.baseTime}${options.baseDate ? ` ${options.baseDate}` : ''}`;
  const lines = [`${recordName} ${signals.length} ${sampleRate} ${length}${timePart}`];
  const resolution = format === 16 ? 16 : 12;
  for (const s of signals) {
    const adcZero = s.adcZero ?? 0;
    const baseline = s.baseline ?? adcZero;
    const initial = length > 0 ? (s.digital[0] as number) : adcZero;
    const desc = s.name.length > 0 ? ` ${s.name}` : '';
    lines.push(
      `${dataFileName} ${format} ${s.gain}(${baseline})/${s.units} ${resolution} ${adcZero} ${initial} ${wfdbChecksum(s.digital)} 0${desc}`,
    );
  }
  for (const c of options.comments ?? []) {
    if (/[\r\n]/.test(c)) throw new InvalidArgumentError('comment', c, 'must be a single line');
    lines.push(`# ${c}`);
  }
  return { header: `${lines.join('\n')}\n`, data, dataFileName };
}

function interleave16(signals: readonly WfdbSignalInput[], length: number): Uint8Array {
  const n = signals.length;
  const out = new Uint8Array(length * n * 2);
  const view = new DataView(out.buffer);
  for (let c = 0; c < n; c++) {
    const d = (signals[c] as WfdbSignalInput).digital;
    for (let t = 0; t < length; t++) view.setInt16((t * n + c) * 2, d[t] as number, true);
  }
  return out;
}

/** Format 212 packs sample pairs (in frame order) into 3 bytes; an odd final sample takes 2 bytes. */
function interleave212(signals: readonly WfdbSignalInput[], length: number): Uint8Array {
  const n = signals.length;
  const total = length * n;
  const out = new Uint8Array(Math.floor(total / 2) * 3 + (total % 2) * 2);
  const sample = (k: number): number =>
    ((signals[k % n] as WfdbSignalInput).digital[Math.floor(k / n)] as number) & 0xfff;
  let o = 0;
  for (let k = 0; k < total; k += 2) {
    const a = sample(k);
    out[o] = a & 0xff;
    if (k + 1 < total) {
      const b = sample(k + 1);
      out[o + 1] = ((a >> 8) & 0x0f) | (((b >> 8) & 0x0f) << 4);
      out[o + 2] = b & 0xff;
      o += 3;
    } else {
      out[o + 1] = (a >> 8) & 0x0f;
    }
  }
  return out;
}
