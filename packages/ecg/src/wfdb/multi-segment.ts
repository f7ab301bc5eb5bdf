import { WfdbUnsupportedError } from '../errors.js';
import type { WfdbHeader, WfdbSignalSpec } from './header-types.js';
import { SAMPLE_GAP } from './range-decoder.js';

/** One segment of a multi-segment record placed on the record's time line. */
export interface WfdbSegmentSpan {
  /** Segment record name (`~` for a null segment). */
  readonly recordName: string;
  /** Index of the segment line in the master header. */
  readonly index: number;
  /** First frame of the segment in record time. */
  readonly start: number;
  /** Frames in the segment. */
  readonly frameCount: number;
  /** True for `~`: no stored samples, every sample invalid. */
  readonly isNull: boolean;
}

/** How a multi-segment record is laid out (see WFDB header(5)). */
export interface MultiSegmentLayout {
  /**
   * `variable` when the first segment has length 0: that segment is the layout header naming the
   * record's signals, which each segment maps by name; `fixed` otherwise (every segment has the same
   * signals in the same order).
   */
  readonly kind: 'fixed' | 'variable';
  /** Record name of the layout header (variable layouts only). */
  readonly layoutName: string | undefined;
  /** Segments with samples or null segments, in time order (the layout header is not a span). */
  readonly spans: readonly WfdbSegmentSpan[];
  /** Frames in the record: the header's sample count, else the sum of segment lengths. */
  readonly frameCount: number;
}

/** Places the segments of a multi-segment header on the record's time line. */
export function multiSegmentLayout(header: WfdbHeader): MultiSegmentLayout {
  if (header.segmentCount === undefined) {
    throw new WfdbUnsupportedError(header.source, 'reading a single-segment header as multi-segment');
  }
  const first = header.segments[0];
  const variable = first !== undefined && first.sampleCount === 0 && first.recordName !== '~';
  const spans: WfdbSegmentSpan[] = [];
  let start = 0;
  header.segments.forEach((s, index) => {
    if (variable && index === 0) return;
    spans.push({
      recordName: s.recordName,
      index,
      start,
      frameCount: s.sampleCount,
      isNull: s.recordName === '~',
    });
    start += s.sampleCount;
  });
  return {
    kind: variable ? 'variable' : 'fixed',
    layoutName: variable ? first?.recordName : undefined,
    spans,
    frameCount: header.sampleCount ?? start,
  };
}

/** Where each record signal's samples come from in one segment, and how they are rescaled. */
export interface SegmentSignalMap {
  /** Per record signal: index of the segment signal that feeds it, or -1 (then every sample is invalid). */
  readonly source: Int32Array;
  /** Per record signal: multiply the segment's digital value by this… */
  readonly scale: Float64Array;
  /** …and add this (then truncate toward zero, as WFDB does): the record's calibration. */
  readonly offset: Float64Array;
  /** Calibration of the mapped samples, per record signal (what physical values must use). */
  readonly specs: readonly WfdbSignalSpec[];
}

/**
 * Maps a segment's signals onto the record's. Fixed layouts map by position and keep each segment's own
 * calibration. Variable layouts map by description (the first layout signal of that name) and rescale
 * the digital values to the layout header's gain and baseline, as WFDB's `getvec` does, so every
 * segment prints in one calibration: `trunc(d × gain_layout / gain_segment + baseline_layout −
 * baseline_segment × gain_layout / gain_segment)`.
 */
export function segmentSignalMap(
  layout: MultiSegmentLayout,
  recordSignals: readonly WfdbSignalSpec[],
  segment: WfdbHeader,
): SegmentSignalMap {
  const n = recordSignals.length;
  const source = new Int32Array(n).fill(-1);
  const scale = new Float64Array(n).fill(1);
  const offset = new Float64Array(n);
  if (layout.kind === 'fixed') {
    if (segment.signals.length !== n) {
      throw new WfdbUnsupportedError(
        segment.source,
        `a fixed-layout segment with ${segment.signals.length} signals where the record has ${n}`,
        'every segment of a fixed layout must have the same signals',
      );
    }
    for (let i = 0; i < n; i++) source[i] = i;
    return { source, scale, offset, specs: segment.signals };
  }
  segment.signals.forEach((s, j) => {
    const i = recordSignals.findIndex((r) => r.description === s.description);
    if (i < 0 || source[i] !== -1) return;
    const target = recordSignals[i] as WfdbSignalSpec;
    if (target.samplesPerFrame !== s.samplesPerFrame) {
      throw new WfdbUnsupportedError(
        segment.source,
        `signal '${s.description}' with ${s.samplesPerFrame} samples per frame where the layout has ${target.samplesPerFrame}`,
      );
    }
    source[i] = j;
    scale[i] = target.adcGain / s.adcGain;
    offset[i] = target.baseline - scale[i]! * s.baseline;
  });
  return { source, scale, offset, specs: recordSignals };
}

/** Applies a `SegmentSignalMap` to one decoded block of a segment: one array per record signal. */
export function mapSegmentSamples(
  map: SegmentSignalMap,
  recordSignals: readonly WfdbSignalSpec[],
  segmentSamples: readonly Int32Array[],
  frameCount: number,
): Int32Array[] {
  return recordSignals.map((spec, i) => {
    const j = map.source[i] as number;
    if (j < 0) return new Int32Array(frameCount * spec.samplesPerFrame).fill(SAMPLE_GAP);
    const input = segmentSamples[j] as Int32Array;
    const a = map.scale[i] as number;
    const b = map.offset[i] as number;
    if (a === 1 && b === 0) return input;
    const out = new Int32Array(input.length);
    for (let k = 0; k < input.length; k++) {
      const v = input[k] as number;
      out[k] = v === SAMPLE_GAP ? SAMPLE_GAP : Math.trunc(v * a + b);
    }
    return out;
  });
}
