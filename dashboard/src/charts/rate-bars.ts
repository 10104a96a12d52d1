import * as Plot from '@observablehq/plot';
import { baseOptions, colourScale, emptyState, NO_DATA, type ChartElement, type ChartOptions } from './common';

export interface RateRow {
  group: string;
  measure: string;
  rate: number | null;
  lower: number | null;
  upper: number | null;
  numerator?: number | null;
  denominator?: number | null;
}

/** Rates as horizontal bars with their 95% CI as whiskers; one panel per measure. */
export function rateBarsChart(rows: readonly RateRow[], opts: ChartOptions & { xLabel: string }): ChartElement {
  const drawn = rows.filter((r) => r.rate !== null);
  if (drawn.length === 0) return emptyState(NO_DATA, opts.document);
  const groups = [...new Set(rows.map((r) => r.group))];
  const measures = [...new Set(rows.map((r) => r.measure))];
  const faceted = measures.length > 1;
  const title = (d: RateRow) =>
    `${d.group}, ${d.measure}: ${d.rate === null ? 'suppressed' : `${(d.rate * 100).toFixed(1)}%`}` +
    (d.lower !== null && d.upper !== null ? ` (95% CI ${(d.lower * 100).toFixed(1)}–${(d.upper * 100).toFixed(1)}%)` : '');
  return Plot.plot({
    ...baseOptions(opts),
    height: 40 + 28 * groups.length * measures.length + (faceted ? 20 * measures.length : 0),
    marginLeft: 110,
    marginRight: faceted ? 90 : 20,
    x: { label: opts.xLabel, percent: true, domain: [0, 100], grid: true },
    y: { label: null, domain: groups },
    fy: { label: null, domain: measures, axis: faceted ? 'right' : null },
    color: colourScale(groups, false),
    marks: [
      Plot.barX(drawn, { x: 'rate', y: 'group', fy: 'measure', fill: 'group', fillOpacity: 0.8, title }),
      Plot.ruleY(drawn.filter((r) => r.lower !== null && r.upper !== null), { x1: 'lower', x2: 'upper', y: 'group', fy: 'measure', stroke: 'black', strokeWidth: 1.5 }),
      Plot.tickX(drawn.filter((r) => r.lower !== null), { x: 'lower', y: 'group', fy: 'measure', stroke: 'black', inset: 8 }),
      Plot.tickX(drawn.filter((r) => r.upper !== null), { x: 'upper', y: 'group', fy: 'measure', stroke: 'black', inset: 8 }),
      Plot.ruleX([0]),
    ],
  });
}
