/**
 * Draws a 12-lead ECG on a canvas the way clinicians read it: pink paper with 1-mm and 5-mm lines,
 * 25 mm/s, 10 mm/mV, the 3 × 4 layout plus a lead II rhythm strip, a calibration pulse on every row.
 */
import type { Waveform } from './api-types.js';
import { calibrationPulse, ecgPaperLayout, gridLines, samplePoint } from './ecg-layout.js';

const MINOR_LINE = '#f7c6cf';
const MAJOR_LINE = '#e88a9c';
const PAPER = '#fff5f6';
const TRACE = '#111111';

/** Renders `waveform` into a new canvas `cssWidth` pixels wide (height follows the paper's aspect). */
export function ecgTraceCanvas(waveform: Waveform, cssWidth: number): HTMLCanvasElement {
  const layout = ecgPaperLayout(waveform.leads, waveform.fs);
  const pxPerMm = cssWidth / layout.widthMm;
  const ratio = globalThis.devicePixelRatio || 1;
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(cssWidth * ratio);
  canvas.height = Math.round(layout.heightMm * pxPerMm * ratio);
  canvas.style.width = `${cssWidth}px`;
  canvas.style.height = `${Math.round(layout.heightMm * pxPerMm)}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return canvas;
  ctx.scale(ratio * pxPerMm, ratio * pxPerMm);

  ctx.fillStyle = PAPER;
  ctx.fillRect(0, 0, layout.widthMm, layout.heightMm);
  const vertical = gridLines(layout.widthMm);
  const horizontal = gridLines(layout.heightMm);
  const strokeGrid = (xs: readonly number[], ys: readonly number[], colour: string, width: number) => {
    ctx.strokeStyle = colour;
    ctx.lineWidth = width;
    ctx.beginPath();
    for (const x of xs) {
      ctx.moveTo(x, 0);
      ctx.lineTo(x, layout.heightMm);
    }
    for (const y of ys) {
      ctx.moveTo(0, y);
      ctx.lineTo(layout.widthMm, y);
    }
    ctx.stroke();
  };
  strokeGrid(vertical.minor, horizontal.minor, MINOR_LINE, 0.1);
  strokeGrid(vertical.major, horizontal.major, MAJOR_LINE, 0.2);

  ctx.strokeStyle = TRACE;
  ctx.lineWidth = 0.25;
  ctx.lineJoin = 'round';
  for (const { xMm, baselineMm } of layout.calibrations) {
    ctx.beginPath();
    const [first, ...rest] = calibrationPulse(xMm, baselineMm);
    if (first) ctx.moveTo(first.xMm, first.yMm);
    for (const p of rest) ctx.lineTo(p.xMm, p.yMm);
    ctx.stroke();
  }
  ctx.fillStyle = TRACE;
  ctx.font = '3px sans-serif';
  for (const segment of layout.segments) {
    ctx.fillText(
      segment.leadIndex < 0 ? `${segment.lead} (none)` : segment.lead,
      segment.xMm + 1,
      segment.baselineMm - 9,
    );
    // A short tick marks where one lead's stretch hands over to the next.
    if (segment.column > 0) {
      ctx.beginPath();
      ctx.moveTo(segment.xMm, segment.baselineMm - 3);
      ctx.lineTo(segment.xMm, segment.baselineMm + 3);
      ctx.stroke();
    }
    const signal = segment.leadIndex < 0 ? undefined : waveform.signals[segment.leadIndex];
    if (!signal) continue;
    const end = Math.min(segment.endSample, signal.length);
    ctx.beginPath();
    let drawing = false;
    for (let i = segment.startSample; i < end; i++) {
      const value = signal[i];
      if (value === undefined || value === null || !Number.isFinite(value)) {
        drawing = false;
        continue;
      }
      const p = samplePoint(segment, i, value, waveform.fs);
      if (drawing) ctx.lineTo(p.xMm, p.yMm);
      else ctx.moveTo(p.xMm, p.yMm);
      drawing = true;
    }
    ctx.stroke();
  }
  canvas.setAttribute('role', 'img');
  canvas.setAttribute(
    'aria-label',
    `12-lead ECG, ${(Math.max(...waveform.signals.map((s) => s.length)) / waveform.fs).toFixed(1)} s at ` +
      `${waveform.fs} Hz, 25 mm/s, 10 mm/${waveform.units}, with a lead II rhythm strip`,
  );
  return canvas;
}
