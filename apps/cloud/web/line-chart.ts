/** A small uPlot line chart with a text alternative (the figure caption names what it shows). */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from './dom.js';

/** One line of a chart. */
export interface ChartSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
  readonly colour: string;
  readonly dash?: readonly number[];
}

/** Options of {@link lineChart}. */
export interface LineChartOptions {
  readonly title: string;
  /** Sentence for screen readers describing the chart's content. */
  readonly description: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly x: readonly number[];
  readonly series: readonly ChartSeries[];
  /** Fixed y range; default: fitted to the data. */
  readonly yRange?: readonly [number, number];
  /** Draw steps instead of straight segments (ROC curves). Default false. */
  readonly stepped?: boolean;
  /** Width in CSS pixels. Default 420. */
  readonly width?: number;
}

/** A `<figure>` holding the chart; the plot is created at once (uPlot measures nothing from the DOM). */
export function lineChart(options: LineChartOptions): HTMLElement {
  const plot = h('div', { class: 'chart', role: 'img', 'aria-label': options.description });
  const figure = h('figure', { class: 'chart-figure' }, h('figcaption', {}, options.title), plot);
  const stepped = options.stepped ? uPlot.paths.stepped?.({ align: 1 }) : undefined;
  const chart = new uPlot(
    {
      width: options.width ?? 420,
      height: 260,
      scales: {
        x: { time: false },
        ...(options.yRange ? { y: { range: [options.yRange[0], options.yRange[1]] } } : {}),
      },
      axes: [{ label: options.xLabel }, { label: options.yLabel }],
      series: [
        { label: options.xLabel },
        ...options.series.map((s) => ({
          label: s.label,
          stroke: s.colour,
          width: 2,
          ...(s.dash ? { dash: [...s.dash] } : {}),
          ...(stepped ? { paths: stepped } : {}),
        })),
      ],
    },
    [[...options.x], ...options.series.map((s) => [...s.values])] as uPlot.AlignedData,
    plot,
  );
  figure.dataset['points'] = String(chart.data[0]?.length ?? 0);
  return figure;
}
