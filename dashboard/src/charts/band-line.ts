import * as Plot from '@observablehq/plot';
import { baseOptions, colourScale, emptyState, NO_DATA, type ChartElement, type ChartOptions } from './common';

export interface BandRow {
  group: string;
  week: number;
  value: number | null;
  lower: number | null;
  upper: number | null;
  n: number | null;
}

export interface BandLineOptions extends ChartOptions {
  yLabel: string;
  xLabel?: string;
  percent?: boolean;
  yDomain?: [number, number];
}

// Plot's `percent` multiplies channel values by 100 before the domain applies, so the domain is in percent.
function percentDomain(domain: [number, number], percent = false): [number, number] {
  return percent ? [domain[0] * 100, domain[1] * 100] : domain;
}

/** A weekly series per group: mean or rate line with its 95% CI band. Null points leave gaps. */
export function bandLineChart(rows: readonly BandRow[], opts: BandLineOptions): ChartElement {
  const drawn = rows.filter((r) => r.value !== null);
  if (drawn.length === 0) return emptyState(NO_DATA, opts.document);
  const groups = [...new Set(rows.map((r) => r.group))];
  const title = (d: BandRow) =>
    `${d.group}, week ${d.week}: ${d.value === null ? '–' : opts.percent ? `${(d.value * 100).toFixed(1)}%` : d.value.toFixed(1)}${d.n === null ? '' : ` (n = ${d.n})`}`;
  return Plot.plot({
    ...baseOptions(opts),
    height: 300,
    marginLeft: 50,
    x: { label: opts.xLabel ?? 'Weeks since admission →', grid: true, ticks: 8 },
    y: { label: opts.yLabel, grid: true, percent: opts.percent ?? false, ...(opts.yDomain ? { domain: percentDomain(opts.yDomain, opts.percent) } : { zero: true }) },
    color: colourScale(groups),
    marks: [
      Plot.areaY(rows, { x: 'week', y1: 'lower', y2: 'upper', fill: 'group', fillOpacity: 0.15 }),
      Plot.lineY(rows, { x: 'week', y: 'value', stroke: 'group', strokeWidth: 2 }),
      Plot.dot(drawn, { x: 'week', y: 'value', fill: 'group', r: 2.5, title }),
    ],
  });
}
