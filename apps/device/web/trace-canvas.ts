/**
 * Draws one window of a multi-lead signal on a <canvas>: the 12 leads in canonical order as a 4 × 3 grid
 * (or the one lead asked for across the whole canvas), each scaled to ±2 mV, on a light ECG grid.
 */
import { CANONICAL_LEADS, type MultiLeadSignal, mapLeads } from '@heartline/ecg/signal';

/** Which leads `drawTrace` shows. */
export type TraceLayout = '12-lead' | 'II';

const RANGE_MV = 2;

function drawGrid(ctx: CanvasRenderingContext2D, w: number, h: number): void {
  ctx.fillStyle = '#fffdf8';
  ctx.fillRect(0, 0, w, h);
  ctx.strokeStyle = '#f3d6d6';
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let x = 0; x <= w; x += 10) {
    ctx.moveTo(x + 0.5, 0);
    ctx.lineTo(x + 0.5, h);
  }
  for (let y = 0; y <= h; y += 10) {
    ctx.moveTo(0, y + 0.5);
    ctx.lineTo(w, y + 0.5);
  }
  ctx.stroke();
}

function drawLead(
  ctx: CanvasRenderingContext2D,
  data: Float32Array,
  box: { x: number; y: number; w: number; h: number },
  label: string,
  on: boolean,
): void {
  ctx.fillStyle = on ? '#333' : '#b00';
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillText(on ? label : `${label} (off)`, box.x + 4, box.y + 14);
  if (data.length === 0) return;
  ctx.strokeStyle = on ? '#111' : '#b00';
  ctx.lineWidth = 1.2;
  ctx.beginPath();
  const mid = box.y + box.h / 2;
  const step = Math.max(1, Math.floor(data.length / box.w));
  for (let i = 0; i < data.length; i += step) {
    const v = data[i] ?? 0;
    const x = box.x + (i / data.length) * box.w;
    const y =
      mid - (Math.max(-RANGE_MV, Math.min(RANGE_MV, Number.isFinite(v) ? v : 0)) / RANGE_MV) * (box.h / 2);
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  }
  ctx.stroke();
}

/** Draws `signal` (mV) on `canvas`; `leadMask` (canonical order) marks leads the pipeline found off. */
export function drawTrace(
  canvas: HTMLCanvasElement,
  signal: MultiLeadSignal,
  layout: TraceLayout,
  leadMask?: Uint8Array,
): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width: w, height: h } = canvas;
  drawGrid(ctx, w, h);
  const mapped = mapLeads(signal).signal;
  const on = (slot: number) => (leadMask ? leadMask[slot] === 1 : true);
  if (layout === 'II') {
    drawLead(ctx, mapped.leads[1] ?? new Float32Array(), { x: 0, y: 0, w, h }, 'II', on(1));
    return;
  }
  const cols = 3;
  const rows = 4;
  CANONICAL_LEADS.forEach((name, slot) => {
    const col = Math.floor(slot / rows);
    const row = slot % rows;
    const box = { x: (col * w) / cols, y: (row * h) / rows, w: w / cols, h: h / rows };
    drawLead(ctx, mapped.leads[slot] ?? new Float32Array(), box, name, on(slot));
  });
}
