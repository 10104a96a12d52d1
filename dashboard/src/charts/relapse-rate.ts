import type { RelapseResponse } from '../types';
import type { ChartElement, ChartOptions } from './common';
import { rateBarsChart, rateRowOf, type RateRow } from './rate-bars';

/** Every group, including those suppressed whole: their rows carry the suppression marker. */
export function relapseRateRows(data: RelapseResponse): RateRow[] {
  return data.groups.map((g) => {
    const s = 'n' in g ? g : undefined;
    return rateRowOf(g, 'Relapse', { rate: s?.relapse_rate, ci: s?.relapse_ci, numerator: s?.relapsed, denominator: s?.with_negative }, ['relapse_rate', 'relapsed', 'with_negative']);
  });
}

/** Episodes with a relapse over episodes with at least one negative test, with Wilson 95% CIs. */
export function relapseRateChart(data: RelapseResponse, opts: ChartOptions = {}): ChartElement {
  return rateBarsChart(relapseRateRows(data), { ...opts, xLabel: 'Episodes with a relapse (%) →', minCell: data.min_cell });
}
