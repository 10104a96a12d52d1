import { groupLabel, isGroupSuppressed } from '../format';
import type { AttendanceResponse } from '../types';
import { bandLineChart, type BandRow } from './band-line';
import type { ChartElement, ChartOptions } from './common';

export function attendanceWeekRows(data: AttendanceResponse): BandRow[] {
  return data.groups.flatMap((g) =>
    isGroupSuppressed(g)
      ? []
      : (g.by_week ?? []).map((w) => {
          const scheduled = w.attended !== null && w.no_show !== null ? w.attended + w.no_show : null;
          // A null rate is withheld unless the week simply had no scheduled session.
          const suppressed = w.attendance_rate === null && scheduled !== 0;
          return { group: groupLabel(g.key), week: w.week, value: w.attendance_rate, lower: w.lower, upper: w.upper, n: scheduled, suppressed };
        }),
  );
}

/** Attended / (attended + no-show) per week in program, with Wilson 95% CIs; withheld weeks and groups marked. */
export function attendanceByWeekChart(data: AttendanceResponse, opts: ChartOptions = {}): ChartElement {
  const hiddenGroups = data.groups.filter(isGroupSuppressed).map((g) => groupLabel(g.key));
  return bandLineChart(attendanceWeekRows(data), { ...opts, yLabel: '↑ Sessions attended (%)', percent: true, yDomain: [0, 1], minCell: data.min_cell, hiddenGroups });
}
