import type { Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import type { MetricFamily, MetricSource } from '../family';
import type { MetricFilters } from '../filters';
import { buildGroups, echoFilters, respond } from '../response';
import { groupSizes } from '../sql/groups';
import type { MetricResponse } from '../types';
import { attendanceDefinition } from './definition';
import { attendanceByGroup, attendanceByWeek, type AttendanceWeekRow } from './facts';
import { attendanceFromModel } from './model';
import { attendanceGroup } from './statistics';

/** docs/metrics.md "Attendance and engagement". */
export async function attendance(db: Kysely<DB>, f: MetricFilters, minCell: number, source: MetricSource = 'facts'): Promise<MetricResponse<'attendance'>> {
  const [sizes, rows, weekRows] = source === 'facts'
    ? await Promise.all([groupSizes(db, f), attendanceByGroup(db, f), attendanceByWeek(db, f)])
    : await attendanceFromModel(db, f, source === 'rollup').then((m) => [m.sizes, m.groups, m.weeks] as const);
  const byGroup = new Map(rows.map((r) => [r.grp, r]));
  const weeksBy = new Map<string, AttendanceWeekRow[]>();
  for (const w of weekRows) weeksBy.set(w.grp, [...(weeksBy.get(w.grp) ?? []), w]);
  const groups = buildGroups(f, minCell, sizes, (grp, key, n) => attendanceGroup(byGroup.get(grp), weeksBy.get(grp) ?? [], key, n, minCell));
  return respond({ metric: 'attendance', filters: f, minCell, echo: echoFilters(f), definition: attendanceDefinition(minCell), groups });
}

export const ATTENDANCE: MetricFamily<'attendance'> = {
  name: 'attendance',
  summary: 'Attendance rate, sessions per week, IET initiation and engagement',
  dependsOn: ['attendance_through'],
  compute: attendance,
};

export { attendanceDefinition } from './definition';
export { attendanceGroup, attendanceWeeks } from './statistics';
