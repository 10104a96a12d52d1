import { groupLabel, isGroupSuppressed } from '../format';
import type { RelapseResponse } from '../types';
import { bandLineChart, type BandRow } from './band-line';
import type { ChartElement, ChartOptions } from './common';

export function abstinenceWeekRows(data: RelapseResponse): BandRow[] {
  return data.groups.flatMap((g) =>
    isGroupSuppressed(g)
      ? []
      : (g.by_week ?? []).map((w) => ({ group: groupLabel(g.key), week: w.week, value: w.abstinence_rate, lower: w.lower, upper: w.upper, n: w.tests, suppressed: w.abstinence_rate === null && w.tests !== 0 })),
  );
}

/** Share of counted tests that were negative, per week in program, with Wilson 95% CIs. */
export function abstinenceByWeekChart(data: RelapseResponse, opts: ChartOptions = {}): ChartElement {
  const hiddenGroups = data.groups.filter(isGroupSuppressed).map((g) => groupLabel(g.key));
  return bandLineChart(abstinenceWeekRows(data), { ...opts, yLabel: '↑ Negative tests (%)', percent: true, yDomain: [0, 1], minCell: data.min_cell, hiddenGroups });
}
