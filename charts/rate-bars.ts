import * as Plot from '@observablehq/plot';
import { groupLabel, isFieldSuppressed, isGroupSuppressed, suppressedText, suppressionExplanation } from './format';
import type { GroupBase, Interval } from './types';
import { baseOptions, colourScale, emptyState, labelMargin, NO_DATA, SUPPRESSED_FILL, type ChartElement, type ChartOptions } from './common';

export interface RateRow {
  group: string;
  measure: string;
  rate: number | null;
  lower: number | null;
  upper: number | null;
  numerator?: number | null;
  denominator?: number | null;
  /** True when the API withheld the rate under the small-cell rule (a null rate otherwise means "not estimable"). */
  suppressed?: boolean;
}

export interface RateBarsOptions extends ChartOptions {
  xLabel: string;
  /** The response's min_cell: a suppressed rate is marked "<min_cell" in its row. */
  minCell: number;
  /** Height per bar row (px); the overview's small multiples use a tighter one. */
  rowHeight?: number;
  marginLeft?: number;
}

export { SUPPRESSED_FILL };

/**
 * Rates as horizontal bars with their 95% CI as whiskers; one panel per measure. A suppressed
 * rate keeps its row: a grey band with "<min_cell" and the suppression rule as its tooltip, so
 * a withheld value is never silently missing (docs/metrics.md "Small-cell suppression"); a rate
 * that is null but not suppressed (not estimable) is marked "n/a".
 */
export function rateBarsChart(rows: readonly RateRow[], opts: RateBarsOptions): ChartElement {
  if (rows.length === 0) return emptyState(NO_DATA, opts.document);
  const drawn = rows.filter((r) => r.rate !== null);
  const hidden = rows.filter((r) => r.rate === null);
  const groups = [...new Set(rows.map((r) => r.group))];
  const measures = [...new Set(rows.map((r) => r.measure))];
  const faceted = measures.length > 1;
  const marker = (d: RateRow) => (d.suppressed ? suppressedText(opts.minCell) : 'n/a');
  const why = (d: RateRow) =>
    `${d.group}, ${d.measure}: ${d.suppressed ? suppressionExplanation(opts.minCell) : 'not estimable for this group (no episode reached the time point, or no denominator).'}`;
  const title = (d: RateRow) =>
    `${d.group}, ${d.measure}: ${(Number(d.rate) * 100).toFixed(1)}%` +
    (d.lower !== null && d.upper !== null ? ` (95% CI ${(d.lower * 100).toFixed(1)}–${(d.upper * 100).toFixed(1)}%)` : '');
  return Plot.plot({
    ...baseOptions(opts),
    height: 40 + (opts.rowHeight ?? 28) * groups.length * measures.length + (faceted ? 20 * measures.length : 0),
    marginLeft: Math.max(opts.marginLeft ?? 0, labelMargin(groups)),
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
      // The withheld rows: a short grey band at the origin and its marker, each with the rule as a tooltip.
      Plot.barX(hidden, { x1: 0, x2: 0.12, y: 'group', fy: 'measure', fill: SUPPRESSED_FILL, title: why, ariaLabel: why, className: 'suppressed-band' }),
      Plot.text(hidden, { x: 0, y: 'group', fy: 'measure', text: marker, textAnchor: 'start', dx: 4, fill: '#333', title: why, ariaLabel: why, className: 'suppressed-marker' }),
      Plot.ruleX([0]),
    ],
  });
}

/**
 * One bar row from a group of any response: the rate and its CI when shown; for a group
 * suppressed whole, or a rate the API withheld (null and one of `fields` in the group's
 * `suppressed` list), a row marked suppressed, so the chart keeps the group in place.
 */
export function rateRowOf(
  g: GroupBase, measure: string,
  value: { rate?: number | null; ci?: Interval | null; numerator?: number | null; denominator?: number | null },
  fields: readonly string[],
): RateRow {
  const group = groupLabel(g.key);
  if (isGroupSuppressed(g)) return { group, measure, rate: null, lower: null, upper: null, suppressed: true };
  const rate = value.rate ?? null;
  return {
    group, measure, rate,
    lower: rate === null ? null : (value.ci?.[0] ?? null),
    upper: rate === null ? null : (value.ci?.[1] ?? null),
    numerator: value.numerator ?? null,
    denominator: value.denominator ?? null,
    suppressed: rate === null && fields.some((f) => isFieldSuppressed(g, f)),
  };
}
