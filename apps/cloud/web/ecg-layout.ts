/**
 * The standard clinical 12-lead paper layout as pure geometry in millimetres: a 3 × 4 grid of 2.5-s
 * segments (I, aVR, V1, V4 / II, aVL, V2, V5 / III, aVF, V3, V6) and a 10-s lead II rhythm strip, at
 * 25 mm/s and 10 mm/mV, each row opened by a 1-mV calibration pulse. Drawing lives in `ecg-trace.ts`.
 */

/** Paper speed: millimetres per second. */
export const MM_PER_SECOND = 25;
/** Gain: millimetres per millivolt. */
export const MM_PER_MV = 10;
/** Lead order of the 3 × 4 grid, row by row. */
export const GRID_LEADS: readonly (readonly string[])[] = [
  ['I', 'aVR', 'V1', 'V4'],
  ['II', 'aVL', 'V2', 'V5'],
  ['III', 'aVF', 'V3', 'V6'],
];
/** The lead of the rhythm strip under the grid. */
export const RHYTHM_LEAD = 'II';

/** Seconds per grid segment. */
const SEGMENT_SECONDS = 2.5;
/** Left margin holding the calibration pulse, in mm. */
const LEFT_MARGIN_MM = 10;
/** Height of one row of the layout, in mm (baseline in the middle). */
const ROW_HEIGHT_MM = 30;
/** Top and bottom margin, in mm. */
const VERTICAL_MARGIN_MM = 5;

/** One plotted stretch of one lead. */
export interface EcgSegment {
  readonly lead: string;
  /** Index of the lead in the waveform's `leads`, or -1 when the waveform lacks it. */
  readonly leadIndex: number;
  /** 0–2 for the grid, 3 for the rhythm strip. */
  readonly row: number;
  readonly column: number;
  /** First sample (inclusive) and last sample (exclusive) of the stretch. */
  readonly startSample: number;
  readonly endSample: number;
  /** Left edge and baseline of the stretch on the paper, in mm. */
  readonly xMm: number;
  readonly baselineMm: number;
  readonly widthMm: number;
}

/** The whole sheet: its size, the segments and where each row's calibration pulse stands. */
export interface EcgPaperLayout {
  readonly widthMm: number;
  readonly heightMm: number;
  readonly segments: readonly EcgSegment[];
  /** Left edge and baseline of each row's calibration pulse, in mm. */
  readonly calibrations: readonly { readonly xMm: number; readonly baselineMm: number }[];
}

/** Index of `lead` in `leads`, ignoring case (`AVR` and `aVR` are the same lead); -1 when absent. */
export function leadIndexOf(leads: readonly string[], lead: string): number {
  const wanted = lead.toLowerCase();
  return leads.findIndex((name) => name.trim().toLowerCase() === wanted);
}

/**
 * The layout for a recording of `leads` sampled at `fs` Hz: 10 s of paper (fewer samples than that leave
 * the segments' tails empty, more are cut).
 */
export function ecgPaperLayout(leads: readonly string[], fs: number): EcgPaperLayout {
  if (!(fs > 0) || !Number.isFinite(fs)) throw new RangeError(`fs must be a positive number, got ${fs}`);
  const perSegment = Math.round(SEGMENT_SECONDS * fs);
  const segmentMm = SEGMENT_SECONDS * MM_PER_SECOND;
  const baseline = (row: number) => VERTICAL_MARGIN_MM + ROW_HEIGHT_MM * (row + 0.5);
  const segments: EcgSegment[] = [];
  GRID_LEADS.forEach((rowLeads, row) => {
    rowLeads.forEach((lead, column) => {
      segments.push({
        lead,
        leadIndex: leadIndexOf(leads, lead),
        row,
        column,
        startSample: column * perSegment,
        endSample: (column + 1) * perSegment,
        xMm: LEFT_MARGIN_MM + column * segmentMm,
        baselineMm: baseline(row),
        widthMm: segmentMm,
      });
    });
  });
  const rows = GRID_LEADS.length + 1;
  segments.push({
    lead: RHYTHM_LEAD,
    leadIndex: leadIndexOf(leads, RHYTHM_LEAD),
    row: GRID_LEADS.length,
    column: 0,
    startSample: 0,
    endSample: 4 * perSegment,
    xMm: LEFT_MARGIN_MM,
    baselineMm: baseline(GRID_LEADS.length),
    widthMm: 4 * segmentMm,
  });
  return {
    widthMm: LEFT_MARGIN_MM + 4 * segmentMm + 2,
    heightMm: 2 * VERTICAL_MARGIN_MM + rows * ROW_HEIGHT_MM,
    segments,
    calibrations: Array.from({ length: rows }, (_, row) => ({ xMm: 2, baselineMm: baseline(row) })),
  };
}

/** Where sample `sample` of a segment, worth `millivolts`, lands on the paper (mm; y grows downwards). */
export function samplePoint(
  segment: EcgSegment,
  sample: number,
  millivolts: number,
  fs: number,
): { xMm: number; yMm: number } {
  return {
    xMm: segment.xMm + ((sample - segment.startSample) / fs) * MM_PER_SECOND,
    yMm: segment.baselineMm - millivolts * MM_PER_MV,
  };
}

/**
 * The calibration pulse as a polyline (mm): 1 mV high (10 mm) and 0.2 s wide (5 mm), standing on the
 * baseline between two short flat stretches.
 */
export function calibrationPulse(xMm: number, baselineMm: number): { xMm: number; yMm: number }[] {
  const top = baselineMm - MM_PER_MV;
  return [
    { xMm, yMm: baselineMm },
    { xMm: xMm + 1, yMm: baselineMm },
    { xMm: xMm + 1, yMm: top },
    { xMm: xMm + 6, yMm: top },
    { xMm: xMm + 6, yMm: baselineMm },
    { xMm: xMm + 7, yMm: baselineMm },
  ];
}

/** Grid line positions (mm) along one axis of `lengthMm`: every 1 mm, with every fifth one major. */
export function gridLines(lengthMm: number): { minor: number[]; major: number[] } {
  const minor: number[] = [];
  const major: number[] = [];
  for (let mm = 0; mm <= lengthMm + 1e-9; mm++) (mm % 5 === 0 ? major : minor).push(mm);
  return { minor, major };
}
