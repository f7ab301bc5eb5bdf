import type { WfdbSignalSpec } from './header-types.js';
import { SAMPLE_GAP } from './range-decoder.js';

/** The value WFDB's `getvec` (and so `rdsamp`) returns for an invalid sample in any format. */
export const WFDB_INVALID_SAMPLE = -32768;

/** One decoded block of a record: `samples[i]` holds `frameCount × samplesPerFrame` values of signal i. */
export interface WfdbSampleBlock {
  /** Record frame number of the block's first frame. */
  readonly start: number;
  /** Frames in the block. */
  readonly frameCount: number;
  /** Digital samples per record signal; invalid samples are `SAMPLE_GAP`. */
  readonly samples: readonly Int32Array[];
  /** Calibration of these samples per record signal (segments of a fixed layout differ). */
  readonly specs: readonly WfdbSignalSpec[];
}

/** How `formatRdsampRows` prints. */
export interface RdsampRowOptions {
  /** Record signal indices to print, in this order (repeats allowed). */
  readonly columns: readonly number[];
  /** Physical units with 3 decimals and `-` for invalid samples (rdsamp -p); default raw ADC units. */
  readonly physical?: boolean;
  /** Field separator: `\t` (default) or `,` (rdsamp -c). */
  readonly separator?: string;
}

/**
 * The frame-rate value of signal samples at `frame`, as WFDB's default (low-resolution) `getvec`
 * returns it: the mean of the frame's samples truncated toward zero, or invalid if any is invalid.
 */
export function frameSample(samples: Int32Array, samplesPerFrame: number, frame: number): number {
  if (samplesPerFrame === 1) return samples[frame] as number;
  let sum = 0;
  const base = frame * samplesPerFrame;
  for (let c = 0; c < samplesPerFrame; c++) {
    const v = samples[base + c] as number;
    if (v === SAMPLE_GAP) return SAMPLE_GAP;
    sum += v;
  }
  return Math.trunc(sum / samplesPerFrame);
}

/**
 * `x` with 3 decimals as C's `printf("%.3f")` prints it: exact ties (only possible for binary fractions
 * such as 1/16) round half to even, where `toFixed` would round them away from zero.
 */
export function formatFixed3(x: number): string {
  const text = x.toFixed(3);
  const scaled = x * 1000;
  if (Number.isInteger(scaled) || !Number.isInteger(scaled * 2)) return text;
  // A candidate tie: confirm from the exact decimal expansion before rounding half to even.
  const exact = Math.abs(x).toFixed(30);
  const tail = exact.slice(exact.indexOf('.') + 4);
  if (!/^50*$/.test(tail)) return text;
  const down = Math.trunc(scaled);
  const even = down % 2 === 0 ? down : down + Math.sign(x);
  const result = (even / 1000).toFixed(3);
  return x < 0 && !result.startsWith('-') ? `-${result}` : result;
}

/** Formats one block as rdsamp prints it: sample number first, then the chosen signals, one frame a line. */
export function formatRdsampRows(block: WfdbSampleBlock, options: RdsampRowOptions): string {
  const sep = options.separator ?? '\t';
  const physical = options.physical ?? false;
  const { columns } = options;
  const spf = columns.map((c) => block.specs[c]!.samplesPerFrame);
  const gains = columns.map((c) => block.specs[c]!.adcGain);
  const baselines = columns.map((c) => block.specs[c]!.baseline);
  const lines: string[] = new Array(block.frameCount);
  for (let f = 0; f < block.frameCount; f++) {
    let line = String(block.start + f);
    for (let k = 0; k < columns.length; k++) {
      const v = frameSample(block.samples[columns[k] as number] as Int32Array, spf[k] as number, f);
      if (physical) {
        line += sep + (v === SAMPLE_GAP ? '-' : formatFixed3((v - baselines[k]!) / gains[k]!));
      } else {
        line += sep + (v === SAMPLE_GAP ? WFDB_INVALID_SAMPLE : v);
      }
    }
    lines[f] = line;
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
