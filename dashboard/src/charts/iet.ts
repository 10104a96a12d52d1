import type { AttendanceResponse } from '../types';
import type { ChartElement, ChartOptions } from './common';
import { rateBarsChart, rateRowOf, type RateRow } from './rate-bars';

/** Every group, including those suppressed whole: their rows carry the suppression marker. */
export function ietRows(data: AttendanceResponse): RateRow[] {
  return data.groups.flatMap((g) => {
    const s = 'n' in g ? g : undefined;
    return [
      rateRowOf(g, 'Initiation', { rate: s?.initiation_rate, ci: s?.initiation_ci, numerator: s?.initiated, denominator: s?.n }, ['initiation_rate', 'initiated']),
      rateRowOf(g, 'Engagement', { rate: s?.engagement_rate, ci: s?.engagement_ci, numerator: s?.engaged, denominator: s?.n }, ['engagement_rate', 'engaged']),
    ];
  });
}

/** HEDIS IET (adapted) initiation and engagement rates with Wilson 95% CIs. */
export function ietChart(data: AttendanceResponse, opts: ChartOptions = {}): ChartElement {
  return rateBarsChart(ietRows(data), { ...opts, xLabel: 'Episodes (%) →', minCell: data.min_cell });
}
