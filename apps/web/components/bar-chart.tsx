'use client';

import { useEffect, useRef } from 'react';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface BarSeries {
  label: string;
  color: string;
  /** What the legend shows for each category. */
  values: number[];
  /** Bar heights when they differ from `values` (stacked charts pass running totals). */
  heights?: number[];
}

/**
 * The colour a palette property stands for here. The palette is written as light-dark() pairs, which only a style
 * property resolves (the custom property itself reads back unresolved), so a probe element resolves it.
 */
function themeColor(element: HTMLElement, property: string, fallback: string): string {
  const probe = document.createElement('span');
  probe.style.color = `var(${property}, ${fallback})`;
  element.append(probe);
  const color = getComputedStyle(probe).color;
  probe.remove();
  return color || fallback;
}

/**
 * Bars per category drawn over each other with uPlot (canvas): the first series is the tallest and is drawn first,
 * so stacked totals, or percentiles (p99 ≥ p95 ≥ p50), all stay visible. The legend shows each series' own value.
 * Canvas is invisible to assistive technology, so callers put the same numbers in a table next to it.
 */
export function BarChart({
  labels,
  series,
  unit,
  height = 240,
  testId,
}: {
  labels: string[];
  series: BarSeries[];
  unit: string;
  height?: number;
  testId?: string;
}) {
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    let plot: uPlot | undefined;
    let observer: ResizeObserver | undefined;
    let cancelled = false;
    // uPlot touches `window` when loaded: only in the browser.
    void import('uplot').then(({ default: UPlot }) => {
      if (cancelled) return;
      const fg = themeColor(element, '--muted', '#555');
      const grid = themeColor(element, '--border', '#ddd');
      const xs = labels.map((_, index) => index);
      const bars = UPlot.paths.bars?.({ size: [0.7, 64] });
      const options: uPlot.Options = {
        width: Math.max(element.clientWidth, 280),
        height,
        scales: {
          x: { time: false, range: [-0.5, labels.length - 0.5] },
          y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
        },
        axes: [
          {
            stroke: fg,
            grid: { show: false },
            ticks: { stroke: grid },
            splits: () => xs,
            values: (_u, splits) => splits.map((index) => labels[index] ?? ''),
          },
          { stroke: fg, grid: { stroke: grid }, ticks: { stroke: grid }, label: unit, labelSize: 20 },
        ],
        legend: { live: true },
        cursor: { points: { show: false } },
        series: [
          { label: 'x', value: (_u, index: number | null) => (index === null ? '' : (labels[index] ?? '')) },
          ...series.map((entry) => ({
            label: entry.label,
            stroke: entry.color,
            fill: entry.color,
            width: 0,
            ...(bars ? { paths: bars } : {}),
            points: { show: false },
            value: (_u: uPlot, _v: number | null, _s: number, index: number | null) =>
              index === null ? '—' : String(entry.values[index] ?? 0),
          })),
        ],
      };
      const data: uPlot.AlignedData = [xs, ...series.map((entry) => entry.heights ?? entry.values)];
      plot = new UPlot(options, data, element);
      observer = new ResizeObserver(() => plot?.setSize({ width: Math.max(element.clientWidth, 280), height }));
      observer.observe(element);
    });
    return () => {
      cancelled = true;
      observer?.disconnect();
      plot?.destroy();
    };
  }, [labels, series, unit, height]);

  return <div ref={box} className="chart" data-testid={testId} aria-hidden="true" />;
}
