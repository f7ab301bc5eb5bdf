import { describe, expect, it } from 'vitest';
import { escapeXml, niceTicks, svgLineChart } from './svg-line-chart.js';

/** Checks that tags nest and close (a small structural parse; no self-closing tag left open). */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const [, closing, name, , selfClosing] = m;
    if (selfClosing) continue;
    if (closing) expect(stack.pop()).toBe(name);
    else stack.push(name!);
  }
  expect(stack).toEqual([]);
  // Every '<' starts a tag the pattern above accepted, and text holds no raw '&' outside entities.
  const tags = svg.match(/</g)?.length ?? 0;
  const parsed = [...svg.matchAll(/<\/?[a-zA-Z][\w-]*(?:\s+[\w:-]+="[^"<]*")*\s*\/?>/g)].length;
  expect(parsed).toBe(tags);
  expect(svg).not.toMatch(/&(?!amp;|lt;|gt;|quot;|apos;)/);
}

const coords = (d: string) =>
  [...d.matchAll(/[ML]([\d.-]+),([\d.-]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
const lines = (svg: string) => [...svg.matchAll(/class="line" d="([^"]+)"/g)].map((m) => m[1]!);
const intervals = (svg: string) => [...svg.matchAll(/class="interval" d="([^"]+)"/g)].map((m) => m[1]!);

describe('svgLineChart', () => {
  const chart = svgLineChart({
    title: 'AUROC & R@10 <held-out>',
    xLabel: 'sign-offs',
    yLabel: 'score',
    series: [
      {
        name: 'AUROC',
        points: [
          { x: 0, y: 0.8, low: 0.72, high: 0.88 },
          { x: 25, y: 0.77, low: 0.68, high: 0.87 },
          { x: 50, y: 0.74, low: 0.63, high: 0.84 },
        ],
      },
      {
        name: 'R@10',
        dashed: true,
        points: [
          { x: 0, y: 0.72 },
          { x: 25, y: 0.79 },
          { x: 50, y: 0.76 },
        ],
      },
    ],
  });

  it('writes a well-formed SVG document with title, axis labels and legend', () => {
    expect(chart.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    assertWellFormed(chart);
    expect(chart).toContain('AUROC &amp; R@10 &lt;held-out&gt;');
    expect(chart).toContain('>sign-offs</text>');
    expect(chart).toContain('>score</text>');
    expect(chart.match(/<g class="legend">[\s\S]*<\/g>/)?.[0]).toContain('>R@10</text>');
    expect(chart).toContain('stroke-dasharray');
  });

  it('places points left to right in x order and higher values higher up', () => {
    const [auroc, r10] = lines(chart).map(coords);
    expect(auroc).toHaveLength(3);
    expect(auroc![0]![0]).toBeLessThan(auroc![1]![0]!);
    expect(auroc![1]![0]).toBeLessThan(auroc![2]![0]!);
    // SVG y grows downwards: 0.80 > 0.77 > 0.74 sits higher and higher.
    expect(auroc![0]![1]).toBeLessThan(auroc![1]![1]!);
    expect(auroc![1]![1]).toBeLessThan(auroc![2]![1]!);
    expect(r10![1]![1]).toBeLessThan(r10![0]![1]!);
  });

  it('draws one whisker per point with an interval, spanning low to high around the point', () => {
    const whiskers = intervals(chart);
    expect(whiskers).toHaveLength(3);
    const [start, end] = [...whiskers[0]!.matchAll(/M([\d.]+),([\d.]+)V([\d.]+)/g)][0]!
      .slice(2, 4)
      .map(Number);
    const point = coords(lines(chart)[0]!)[0]!;
    expect(start).toBeGreaterThan(point[1]!); // low is below the point
    expect(end).toBeLessThan(point[1]!); // high is above it
  });

  it('keeps every drawn coordinate inside the canvas, ticks included', () => {
    const svg = svgLineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      width: 300,
      height: 200,
      series: [
        {
          name: 'a',
          points: [
            { x: -3, y: 120, low: 90, high: 150 },
            { x: 7, y: -4 },
          ],
        },
      ],
    });
    assertWellFormed(svg);
    for (const m of svg.matchAll(/\b(?:x1|x2|cx|x)="([\d.-]+)"/g)) {
      expect(Number(m[1])).toBeGreaterThanOrEqual(0);
      expect(Number(m[1])).toBeLessThanOrEqual(300);
    }
    for (const m of svg.matchAll(/\b(?:y1|y2|cy|y)="([\d.-]+)"/g)) {
      expect(Number(m[1])).toBeGreaterThanOrEqual(0);
      expect(Number(m[1])).toBeLessThanOrEqual(200);
    }
  });

  it('breaks a line at a missing value and draws no whisker for it', () => {
    const svg = svgLineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 'a',
          points: [
            { x: 0, y: 0.5 },
            { x: 1, y: null, low: 0.1, high: 0.9 },
            { x: 2, y: Number.NaN },
            { x: 3, y: 0.6 },
          ],
        },
      ],
    });
    assertWellFormed(svg);
    expect(lines(svg)[0]).toMatch(/^M[\d.]+,[\d.]+M[\d.]+,[\d.]+$/);
    expect(intervals(svg)).toEqual([]);
    expect(svg.match(/class="point"/g)).toHaveLength(2);
  });

  it('refuses a chart with no finite point', () => {
    expect(() => svgLineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [] })).toThrow(RangeError);
  });
});

describe('niceTicks', () => {
  it('covers the range with round steps', () => {
    expect(niceTicks(0.63, 0.88)).toEqual([0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9]);
    expect(niceTicks(0, 50)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(niceTicks(2, 2).length).toBeGreaterThan(1);
  });
});

describe('escapeXml', () => {
  it('escapes the five XML specials', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });
});
