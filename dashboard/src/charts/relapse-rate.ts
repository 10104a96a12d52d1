import { groupLabel, shownGroups } from '../format';
import type { RelapseResponse } from '../types';
import type { ChartElement, ChartOptions } from './common';
import { rateBarsChart, type RateRow } from './rate-bars';

export function relapseRateRows(data: RelapseResponse): RateRow[] {
  return shownGroups(data.groups)
    .map((g) => ({
      group: groupLabel(g.key),
      measure: 'Relapse',
      rate: g.relapse_rate ?? null,
      lower: g.relapse_ci?.[0] ?? null,
      upper: g.relapse_ci?.[1] ?? null,
      numerator: g.relapsed ?? null,
      denominator: g.with_negative ?? null,
    }));
}

/** Episodes with a relapse over episodes with at least one negative test, with Wilson 95% CIs. */
export function relapseRateChart(data: RelapseResponse, opts: ChartOptions = {}): ChartElement {
  return rateBarsChart(relapseRateRows(data), { ...opts, xLabel: 'Episodes with a relapse (%) →' });
}
