import * as Plot from '@observablehq/plot';
import { suppressedText, suppressionExplanation } from '../format';
import { baseOptions, colourScale, emptyState, NO_DATA, withSuppressedGroups, type ChartElement, type ChartOptions } from './common';

export interface BandRow {
  group: string;
  week: number;
  value: number | null;
  lower: number | null;
  upper: number | null;
  n: number | null;
  /** True when the API withheld this week's value under the small-cell rule (a null value otherwise means no data that week). */
  suppressed?: boolean;
}

export interface BandLineOptions extends ChartOptions {
  yLabel: string;
  xLabel?: string;
  percent?: boolean;
  yDomain?: [number, number];
  /** The response's min_cell, for the "<min_cell" markers. */
  minCell?: number;
  /** Groups withheld whole: named under the chart, never silently missing. */
  hiddenGroups?: readonly string[];
}

// Plot's `percent` multiplies channel values by 100 before the domain applies, so the domain is in percent.
function percentDomain(domain: [number, number], percent = false): [number, number] {
  return percent ? [domain[0] * 100, domain[1] * 100] : domain;
}

/** A weekly series per group: mean or rate line with its 95% CI band. Null points leave gaps. */
export function bandLineChart(rows: readonly BandRow[], opts: BandLineOptions): ChartElement {
  const drawn = rows.filter((r) => r.value !== null);
  const minCell = opts.minCell ?? 11;
  const hiddenGroups = opts.hiddenGroups ?? [];
  if (drawn.length === 0 && hiddenGroups.length === 0) return emptyState(NO_DATA, opts.document);
  if (drawn.length === 0) return withSuppressedGroups(emptyState(NO_DATA, opts.document), hiddenGroups, minCell, opts.document);
  const groups = [...new Set(rows.map((r) => r.group))];
  const withheld = rows.filter((r) => r.value === null && r.suppressed === true);
  const title = (d: BandRow) =>
    `${d.group}, week ${d.week}: ${d.value === null ? '–' : opts.percent ? `${(d.value * 100).toFixed(1)}%` : d.value.toFixed(1)}${d.n === null ? '' : ` (n = ${d.n})`}`;
  const why = (d: BandRow) => `${d.group}, week ${d.week}: ${suppressionExplanation(minCell)}`;
  const bottom = opts.yDomain ? opts.yDomain[0] : 0;
  // Each group's markers on their own line above the axis, so two groups withheld in the same week do not overlap.
  const lane = (d: BandRow) => groups.indexOf(d.group);
  const chart = Plot.plot({
    ...baseOptions(opts),
    height: 300,
    marginLeft: 50,
    caption: withheld.length > 0 ? `"${suppressedText(minCell)}" marks a week withheld under the small-cell rule (hover for the rule).` : undefined,
    x: { label: opts.xLabel ?? 'Weeks since admission →', grid: true, ticks: 8 },
    y: { label: opts.yLabel, grid: true, percent: opts.percent ?? false, ...(opts.yDomain ? { domain: percentDomain(opts.yDomain, opts.percent) } : { zero: true }) },
    color: colourScale(groups),
    marks: [
      Plot.areaY(rows, { x: 'week', y1: 'lower', y2: 'upper', fill: 'group', fillOpacity: 0.15 }),
      Plot.lineY(rows, { x: 'week', y: 'value', stroke: 'group', strokeWidth: 2 }),
      Plot.dot(drawn, { x: 'week', y: 'value', fill: 'group', r: 2.5, title }),
      ...[...new Set(withheld.map(lane))].map((i) => Plot.text(withheld.filter((d) => lane(d) === i), {
        x: 'week', y: () => bottom, text: () => suppressedText(minCell), fill: 'group', fontSize: 9, dy: -6 - 10 * i, title: why, ariaLabel: why, className: 'suppressed-marker',
      })),
    ],
  });
  return withSuppressedGroups(chart, hiddenGroups, minCell, opts.document);
}
