import type { Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import { Cells, withSuppressed } from '../cells';
import type { MetricFilters } from '../filters';
import { buildGroups, echoFilters, respond, suppressionRule } from '../response';
import { groupSizes } from '../sql/groups';
import { attendanceFromModel } from './model';
import type { MetricSource } from '../source';
import {
  attendanceByGroup, attendanceByWeek, ENGAGEMENT_DAYS, ENGAGEMENT_SESSIONS, INITIATION_DAYS, LAST_WEEK,
  type AttendanceGroupRow, type AttendanceWeekRow,
} from './facts';
import { suppressCounts } from '../stats/suppression';
import { wilson } from '../stats/wilson';
import type { AttendanceGroup, AttendanceWeek, MetricResponse } from '../types';

export function attendanceDefinition(minCell: number): Record<string, unknown> {
  return {
    sessions: 'sessions dated within the episode (admission to discharge, or as_of)',
    attendance_rate: 'attended / (attended + no_show); cancelled and excused sessions are excluded',
    sessions_per_week: 'mean over episodes of attended sessions / (days in program / 7), days in program = end - admission + 1',
    initiation: { source: 'HEDIS IET (adapted)', rule: 'an attended session on days 0 to initiation_days of the episode', initiation_days: INITIATION_DAYS },
    engagement: {
      source: 'HEDIS IET (adapted)',
      rule: 'initiation plus >= engagement_sessions more attended sessions from the day after the initiation session through engagement_days after it',
      engagement_sessions: ENGAGEMENT_SESSIONS,
      engagement_days: ENGAGEMENT_DAYS,
    },
    denominator: 'initiation and engagement rates: all episodes of the group admitted by as_of',
    ci: { level: 0.95, method: 'wilson', continuity_correction: false },
    by_week: { week: 'floor((session_date - admitted_on) / 7)', weeks: [0, LAST_WEEK] },
    suppression: suppressionRule(minCell),
  };
}

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

/** METRICS.md "Attendance and engagement". */
export async function attendance(db: Kysely<DB>, f: MetricFilters, minCell: number, source: MetricSource = 'facts'): Promise<MetricResponse<'attendance'>> {
  const [sizes, rows, weekRows] = source === 'model'
    ? await attendanceFromModel(db, f).then((m) => [m.sizes, m.groups, m.weeks] as const)
    : await Promise.all([groupSizes(db, f), attendanceByGroup(db, f), attendanceByWeek(db, f)]);
  const byGroup = new Map(rows.map((r) => [r.grp, r]));
  const weeksBy = new Map<string, AttendanceWeekRow[]>();
  for (const w of weekRows) weeksBy.set(w.grp, [...(weeksBy.get(w.grp) ?? []), w]);
  const groups = buildGroups(f, minCell, sizes, (grp, key, n) => attendanceGroup(byGroup.get(grp), weeksBy.get(grp) ?? [], key, n, minCell));
  return respond({ metric: 'attendance', filters: f, minCell, echo: echoFilters(f), definition: attendanceDefinition(minCell), groups });
}
