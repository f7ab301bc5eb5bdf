/**
 * A small line chart as a standalone SVG string, for benchmark results written beside their JSON and
 * CSV: one or more series of points, each with an optional interval drawn as a whisker, axes with ticks
 * and labels, a legend and a title. Pure (no DOM, no dependency); a point whose y is not finite is left
 * out and breaks its line.
 */

/** One point; `low`/`high` bound its interval (drawn as a whisker when both are finite). */
export interface ChartPoint {
  readonly x: number;
  readonly y: number | null;
  readonly low?: number | null;
  readonly high?: number | null;
}

export interface ChartSeries {
  readonly name: string;
  readonly points: readonly ChartPoint[];
  /** CSS colour; the palette's next one when absent. */
  readonly color?: string;
  readonly dashed?: boolean;
}

export interface LineChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  readonly width?: number;
  readonly height?: number;
  /** Fixed y range; otherwise the data's (intervals included), widened to round ticks. */
  readonly yDomain?: readonly [number, number];
  /** Ticks on the x axis; otherwise round ticks over the data's range. */
  readonly xTicks?: readonly number[];
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
const MARGIN = { top: 40, right: 20, bottom: 50, left: 60 };
const LEGEND_ROW = 18;
/** Horizontal offset between series at the same x, so their whiskers do not cover each other. */
const DODGE = 5;

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
const fmt = (v: number) => String(Number(v.toFixed(2)));

/** Escapes text for an SVG text node or attribute value. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** About `count` round ticks (steps of 1, 2 or 5 × 10^k) covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!finite(min) || !finite(max))
    throw new RangeError(`niceTicks: min ${min} and max ${max} must be finite`);
  if (max < min) [min, max] = [max, min];
  if (max === min) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toFixed(digits)));
  return ticks;
}

/** The chart as an SVG document (no XML declaration), `width` × `height` user units (default 640 × 400). */
export function svgLineChart(options: LineChartOptions): string {
  const width = options.width ?? 640;
  const height = options.height ?? 400;
  const series = options.series.map((s, i) => ({ ...s, color: s.color ?? PALETTE[i % PALETTE.length]! }));
  const points = series.flatMap((s) => s.points);
  const xs = points.map((p) => p.x).filter(finite);
  const ys = points.flatMap((p) => (finite(p.y) ? [p.y, p.low, p.high] : [])).filter(finite);
  if (xs.length === 0 || ys.length === 0) throw new RangeError('svgLineChart: series holds no finite point');

  const xTicks = options.xTicks?.length ? [...options.xTicks] : niceTicks(Math.min(...xs), Math.max(...xs));
  const yTicks = options.yDomain
    ? niceTicks(options.yDomain[0], options.yDomain[1]).filter(
        (t) => t >= options.yDomain![0] - 1e-9 && t <= options.yDomain![1] + 1e-9,
      )
    : niceTicks(Math.min(...ys), Math.max(...ys));
  const [x0, x1] = [Math.min(...xTicks, ...xs), Math.max(...xTicks, ...xs)];
  const [y0, y1] = options.yDomain ?? [Math.min(...yTicks), Math.max(...yTicks)];

  // Legend: two series a row when there are more than two.
  const legendColumns = series.length > 2 ? 2 : 1;
  const legendHeight = Math.ceil(series.length / legendColumns) * LEGEND_ROW;
  const plot = {
    left: MARGIN.left,
    right: width - MARGIN.right,
    top: MARGIN.top,
    bottom: height - MARGIN.bottom - legendHeight,
  };
  // Inset the x range by the dodge so the outermost whiskers stay inside the plot.
  const inset = (DODGE * (series.length - 1)) / 2 + 14;
  const sx = (x: number) =>
    x1 === x0
      ? (plot.left + plot.right) / 2
      : plot.left + inset + ((x - x0) / (x1 - x0)) * (plot.right - plot.left - 2 * inset);
  const sy = (y: number) =>
    y1 === y0
      ? (plot.top + plot.bottom) / 2
      : plot.bottom - ((y - y0) / (y1 - y0)) * (plot.bottom - plot.top);

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text class="title" x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(options.title)}</text>`,
  ];

  // Grid, axes, ticks and labels.
  out.push('<g class="axes" stroke="#000" fill="none">');
  for (const t of yTicks)
    out.push(
      `<line x1="${plot.left}" x2="${plot.right}" y1="${fmt(sy(t))}" y2="${fmt(sy(t))}" stroke="#e5e5e5"/>`,
    );
  out.push(
    `<line x1="${plot.left}" x2="${plot.left}" y1="${plot.top}" y2="${plot.bottom}"/>`,
    `<line x1="${plot.left}" x2="${plot.right}" y1="${plot.bottom}" y2="${plot.bottom}"/>`,
  );
  for (const t of yTicks)
    out.push(`<line x1="${plot.left - 5}" x2="${plot.left}" y1="${fmt(sy(t))}" y2="${fmt(sy(t))}"/>`);
  for (const t of xTicks)
    out.push(`<line x1="${fmt(sx(t))}" x2="${fmt(sx(t))}" y1="${plot.bottom}" y2="${plot.bottom + 5}"/>`);
  out.push('</g>', '<g class="tick-labels" fill="#000">');
  for (const t of yTicks)
    out.push(
      `<text x="${plot.left - 8}" y="${fmt(sy(t) + 4)}" text-anchor="end">${escapeXml(String(t))}</text>`,
    );
  for (const t of xTicks)
    out.push(
      `<text x="${fmt(sx(t))}" y="${plot.bottom + 19}" text-anchor="middle">${escapeXml(String(t))}</text>`,
    );
  out.push(
    '</g>',
    `<text class="x-label" x="${(plot.left + plot.right) / 2}" y="${plot.bottom + 38}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text class="y-label" x="16" y="${(plot.top + plot.bottom) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(plot.top + plot.bottom) / 2})">${escapeXml(options.yLabel)}</text>`,
  );

  // Series: whiskers, then the line (broken at missing points), then the markers.
  series.forEach((s, i) => {
    const dx = (i - (series.length - 1) / 2) * DODGE;
    const shown = s.points.filter((p) => finite(p.x));
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(`<g class="series" data-name="${escapeXml(s.name)}" stroke="${s.color}" fill="${s.color}">`);
    for (const p of shown) {
      if (!finite(p.y) || !finite(p.low) || !finite(p.high)) continue;
      const x = fmt(sx(p.x) + dx);
      const [lo, hi] = [fmt(sy(p.low)), fmt(sy(p.high))];
      out.push(
        `<path class="interval" d="M${x},${lo}V${hi}M${fmt(sx(p.x) + dx - 4)},${lo}h8M${fmt(sx(p.x) + dx - 4)},${hi}h8" fill="none" stroke-width="1.2"/>`,
      );
    }
    let d = '';
    let pen = false;
    for (const p of shown) {
      if (!finite(p.y)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${fmt(sx(p.x) + dx)},${fmt(sy(p.y))}`;
      pen = true;
    }
    if (d) out.push(`<path class="line" d="${d}" fill="none" stroke-width="2"${dash}/>`);
    for (const p of shown)
      if (finite(p.y))
        out.push(
          `<circle class="point" cx="${fmt(sx(p.x) + dx)}" cy="${fmt(sy(p.y))}" r="3.5" stroke="none"/>`,
        );
    out.push('</g>');
  });

  // Legend below the x label.
  out.push('<g class="legend">');
  series.forEach((s, i) => {
    const x = plot.left + (i % legendColumns) * ((plot.right - plot.left) / legendColumns);
    const y = height - legendHeight - 4 + Math.floor(i / legendColumns) * LEGEND_ROW + LEGEND_ROW / 2;
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(
      `<line x1="${x}" x2="${x + 28}" y1="${y}" y2="${y}" stroke="${s.color}" stroke-width="2"${dash}/>`,
      `<text x="${x + 36}" y="${y + 4}">${escapeXml(s.name)}</text>`,
    );
  });
  out.push('</g>', '</svg>');
  return `${out.join('\n')}\n`;
}
