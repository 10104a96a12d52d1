import { Cells, withSuppressed } from '../cells';
import { suppressCounts } from '../stats/suppression';
import { wilson } from '../stats/wilson';
import type { AttendanceGroup, AttendanceWeek } from '../types';
import type { AttendanceGroupRow, AttendanceWeekRow } from './facts';

/** Weekly series; counts of a column are complementary-suppressed against the group's published total. */
export function attendanceWeeks(weeks: readonly AttendanceWeekRow[], totals: { attended: number | null; no_show: number | null }, cells: Cells): AttendanceWeek[] {
  const hideAttended = columnHidden(weeks, (w) => w.attended, totals.attended, cells.minCell);
  const hideNoShow = columnHidden(weeks, (w) => w.no_show, totals.no_show, cells.minCell);
  const out = [...weeks].sort((a, b) => a.week - b.week).map((w) => {
    const attended = hideAttended.has(w.week) ? null : w.attended;
    const no_show = hideNoShow.has(w.week) ? null : w.no_show;
    const total = w.attended + w.no_show;
    const rateHidden = attended === null || no_show === null || cells.isSmall(total);
    const ci = rateHidden ? null : wilson(w.attended, total);
    return {
      week: w.week, attended, no_show,
      attendance_rate: rateHidden || total === 0 ? null : w.attended / total,
      lower: ci?.[0] ?? null, upper: ci?.[1] ?? null,
    };
  });
  if (out.some((w) => w.attended === null || w.no_show === null)) cells.hide('by_week');
  return out;
}

function columnHidden<T extends { week: number }>(rows: readonly T[], get: (r: T) => number, total: number | null, minCell: number): Set<number> {
  const counts = Object.fromEntries(rows.map((r) => [String(r.week), get(r)]));
  return new Set([...suppressCounts(counts, total, minCell)].map(Number));
}

export function attendanceGroup(row: AttendanceGroupRow | undefined, weeks: readonly AttendanceWeekRow[], key: AttendanceGroup['key'], n: number, minCell: number): AttendanceGroup {
  const cells = new Cells(minCell);
  const r = row ?? { grp: '', n, attended: 0, no_show: 0, per_week_sum: 0, initiated: 0, engaged: 0 };
  const attended = cells.count('attended', r.attended);
  const no_show = cells.count('no_show', r.no_show);
  const rate = attended === null || no_show === null
    ? (cells.hide('attendance_rate', 'attendance_ci'), { rate: null, ci: null })
    : cells.rate(['attendance_rate', 'attendance_ci'], r.attended, r.attended + r.no_show);
  if (attended === null) cells.hide('sessions_per_week');
  const initiated = cells.count('initiated', r.initiated);
  const initiation = cells.rate(['initiation_rate', 'initiation_ci'], r.initiated, n);
  const engaged = cells.count('engaged', r.engaged);
  const engagement = cells.rate(['engagement_rate', 'engagement_ci'], r.engaged, n);
  return withSuppressed({
    key, n, attended, no_show,
    attendance_rate: rate.rate, attendance_ci: rate.ci,
    sessions_per_week: attended === null ? null : r.per_week_sum / n,
    initiated, initiation_rate: initiation.rate, initiation_ci: initiation.ci,
    engaged, engagement_rate: engagement.rate, engagement_ci: engagement.ci,
    by_week: attendanceWeeks(weeks, { attended, no_show }, cells),
  }, cells);
}
