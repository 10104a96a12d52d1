import { sql, type Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import type { MetricFilters } from '../filters';
import { LAST_WEEK } from '../../warehouse/rules';
import type { AttendanceGroupRow, AttendanceWeekRow } from './facts';
import { WEEKS, weekColumn } from '../../warehouse/models/weekly';
import { additiveSource } from '../sql/rollup';
import { weeklySums, weekValue, modelQuery } from '../sql/model-scope';

export interface AttendanceModelRows {
  sizes: Map<string, number>;
  groups: AttendanceGroupRow[];
  weeks: AttendanceWeekRow[];
}

/** The model's additive figures an attendance response sums (warehouse/models/rollup.ts). */
const FIGURES = ['n', 'attended', 'no_show', 'per_week', 'initiated', 'engaged',
  ...WEEKS.map((w) => weekColumn('attended', w)), ...WEEKS.map((w) => weekColumn('no_show', w))];

/**
 * `attendanceByGroup`, `attendanceByWeek` and the group sizes as sums of per-episode
 * figures: the window counts, IET flags and weekly counts were computed per episode at
 * refresh; only days in program depend on as_of (end − admission + 1, the end being
 * as_of while the episode is open). Episodes come summed per (track, day, open or
 * discharged) from the rollup with `useRollup`. A week is listed when the group had a
 * session in it, as the fact query lists it.
 */
export async function attendanceFromModel(db: Kysely<DB>, f: MetricFilters, useRollup: boolean): Promise<AttendanceModelRows> {
  const { rows } = await modelQuery(db, (trx) => sql<Record<string, unknown>>`
    select s.grp, sum(s.n)::int as n,
      sum(s.attended)::int as attended, sum(s.no_show)::int as no_show,
      sum(s.per_week)::float8 as per_week_sum,
      sum(s.initiated)::int as initiated, sum(s.engaged)::int as engaged,
      ${weeklySums('attended', 'a', LAST_WEEK)},
      ${weeklySums('no_show', 'x', LAST_WEEK)}
    from ${additiveSource(f, 'episode_outcomes', FIGURES, useRollup)}
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
