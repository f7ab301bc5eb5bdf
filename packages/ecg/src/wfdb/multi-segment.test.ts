import { describe, expect, it } from 'vitest';
import { parseWfdbHeader } from './header.js';
import { mapSegmentSamples, multiSegmentLayout, segmentSignalMap } from './multi-segment.js';
import { SAMPLE_GAP } from './range-decoder.js';

const master = parseWfdbHeader('m/4 2 125 30\nlay 0\n~ 10\nseg1 15\nseg2 5\n', 'm.hea');
const layoutHeader = parseWfdbHeader(
  'lay 2 125 0\n~ 0 86/mV 11 0 0 0 0 II\n~ 0 1.25(-100)/mmHg 9 0 0 0 0 ABP\n',
);
const seg1 = parseWfdbHeader(
  'seg1 2 125 15\nseg1.dat 80 43(2)/mV 8 0 0 0 0 II\nseg1.dat 80 1/mV 8 0 0 0 0 V\n',
);

describe('multiSegmentLayout', () => {
  it('places segments after a length-0 layout header on the time line (variable layout)', () => {
    const l = multiSegmentLayout(master);
    expect(l.kind).toBe('variable');
    expect(l.layoutName).toBe('lay');
    expect(l.spans.map((s) => [s.recordName, s.start, s.frameCount, s.isNull])).toEqual([
      ['~', 0, 10, true],
      ['seg1', 10, 15, false],
      ['seg2', 25, 5, false],
    ]);
    expect(l.frameCount).toBe(30);
  });
  it('treats a first segment with samples as a fixed layout', () => {
    const l = multiSegmentLayout(parseWfdbHeader('f/2 1 250\na 3\nb 4\n'));
    expect([l.kind, l.frameCount, l.spans[1]?.start]).toEqual(['fixed', 7, 3]);
  });
});

describe('segmentSignalMap', () => {
  it('maps by name, rescales to the layout gain and leaves absent signals invalid', () => {
    const l = multiSegmentLayout(master);
    const map = segmentSignalMap(l, layoutHeader.signals, seg1);
    expect(Array.from(map.source)).toEqual([0, -1]);
    // II: gain 86 vs 43 → scale 2, offset 0 − 2 × 2 = −4: d = 5 → 6, d = −3 → −10.
    const out = mapSegmentSamples(
      map,
      layoutHeader.signals,
      [Int32Array.from([5, -3]), Int32Array.from([1, 2])],
      2,
    );
    expect(Array.from(out[0]!)).toEqual([6, -10]);
    expect(Array.from(out[1]!)).toEqual([SAMPLE_GAP, SAMPLE_GAP]);
  });
});
