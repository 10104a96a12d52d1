import { sql, type Kysely } from 'kysely';
import type { DB } from '../../../warehouse/db-types';
import type { MetricFilters } from '../../filters';
import { LAST_WEEK, perWeekSum, type AttendanceGroupRow, type AttendanceWeekRow } from '../attendance';
import { scopedModel, weeklySums, weekValue, modelQuery } from './scope';

export interface AttendanceModelRows {
  sizes: Map<string, number>;
  groups: AttendanceGroupRow[];
  weeks: AttendanceWeekRow[];
}

/**
 * `attendanceByGroup`, `attendanceByWeek` and the group sizes in one scan of the model:
 * the window counts, IET flags and weekly arrays were computed per episode at refresh;
 * only days in program depend on as_of (end − admission + 1, the end being as_of while
 * the episode is open). A week is listed when the group had a session in it, as the
 * fact query lists it.
 */
export async function attendanceFromModel(db: Kysely<DB>, f: MetricFilters): Promise<AttendanceModelRows> {
  const { rows } = await modelQuery(db, (trx) => sql<Record<string, unknown>>`
    select s.grp, count(*)::int as n,
      sum(s.window_attended)::int as attended, sum(s.window_no_show)::int as no_show,
      ${perWeekSum(sql`s.window_attended`, sql`s.ends_on - s.admitted_on + 1`)} as per_week_sum,
      count(*) filter (where s.iet_initiated)::int as initiated,
      count(*) filter (where s.iet_engaged)::int as engaged,
      ${weeklySums('attended', 'a', LAST_WEEK)},
      ${weeklySums('no_show', 'x', LAST_WEEK)}
    from ${scopedModel(f)}
    group by s.grp`.execute(trx));
  const out: AttendanceModelRows = { sizes: new Map(), groups: [], weeks: [] };
  for (const row of rows) {
    const grp = String(row.grp);
    const n = Number(row.n);
    out.sizes.set(grp, n);
    out.groups.push({
      grp, n, attended: Number(row.attended), no_show: Number(row.no_show), per_week_sum: Number(row.per_week_sum),
      initiated: Number(row.initiated), engaged: Number(row.engaged),
    });
    for (let week = 0; week <= LAST_WEEK; week++) {
      const attended = weekValue(row, 'a', week);
      const noShow = weekValue(row, 'x', week);
      if (attended + noShow > 0) out.weeks.push({ grp, week, attended, no_show: noShow });
    }
  }
  return out;
}
