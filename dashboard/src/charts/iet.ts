import { groupLabel, shownGroups } from '../format';
import type { AttendanceResponse } from '../types';
import type { ChartElement, ChartOptions } from './common';
import { rateBarsChart, type RateRow } from './rate-bars';

export function ietRows(data: AttendanceResponse): RateRow[] {
  return shownGroups(data.groups)
    .flatMap((g) => {
      const group = groupLabel(g.key);
      return [
        { group, measure: 'Initiation', rate: g.initiation_rate ?? null, lower: g.initiation_ci?.[0] ?? null, upper: g.initiation_ci?.[1] ?? null, numerator: g.initiated ?? null, denominator: g.n ?? null },
        { group, measure: 'Engagement', rate: g.engagement_rate ?? null, lower: g.engagement_ci?.[0] ?? null, upper: g.engagement_ci?.[1] ?? null, numerator: g.engaged ?? null, denominator: g.n ?? null },
      ];
    });
}

/** HEDIS IET (adapted) initiation and engagement rates with Wilson 95% CIs. */
export function ietChart(data: AttendanceResponse, opts: ChartOptions = {}): ChartElement {
  return rateBarsChart(ietRows(data), { ...opts, xLabel: 'Episodes (%) →' });
}
