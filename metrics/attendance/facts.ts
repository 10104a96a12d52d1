import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import { ietDay, inEngagementWindow, inInitiationWindow, inWeeklySeries, isEngaged, perWeekRate, weekOf } from '../../warehouse/models/per-episode';
import type { MetricFilters } from '../filters';
import { scopedEpisodes } from '../sql/scope';

export interface AttendanceGroupRow {
  grp: string;
  n: number;
  attended: number;
  no_show: number;
  /** Σ over episodes of attended sessions per week in program. */
  per_week_sum: number;
  initiated: number;
  engaged: number;
}

export interface AttendanceWeekRow {
  grp: string;
  week: number;
  attended: number;
  no_show: number;
}

/**
 * Sessions of the scoped episodes dated within the episode (admission to
 * discharge, or as_of for open episodes). Cancelled and excused sessions are not
 * part of any attendance measure (docs/metrics.md), so they are dropped here.
 */
function sessions(f: MetricFilters) {
  return sql`sessions as (
    select s.episode_id, s.grp, a.session_date, a.status, a.session_date - s.admitted_on as day,
      ${ietDay(sql`a.session_date`, sql`s.first_contact_on`, sql`s.admitted_on`)} as iet_day
    from scoped s join attendance a on a.episode_id = s.episode_id
    where a.session_date between s.admitted_on and s.ends_on
      and a.status in ('attended', 'no_show')
      and a.session_date <= ${f.as_of}::date
  )`;
}

/**
 * Per group: episodes, attended and no-show sessions, the sum of each episode's
 * attended sessions per week in program (days in program = ends_on − admitted_on
 * + 1, so the admission day counts), and the IET initiation and engagement counts
 * (days counted from the first contact, else the admission; engagement days distinct).
 */
export async function attendanceByGroup(db: Kysely<DB>, f: MetricFilters): Promise<AttendanceGroupRow[]> {
  const { rows } = await sql<AttendanceGroupRow>`
    with ${scopedEpisodes(f)}, ${sessions(f)},
    per_episode as (
      select s.episode_id, s.grp, (s.ends_on - s.admitted_on + 1) as days_in,
        count(x.status) filter (where x.status = 'attended') as attended,
        count(x.status) filter (where x.status = 'no_show') as no_show,
        min(x.session_date) filter (where x.status = 'attended' and ${inInitiationWindow(sql`x.iet_day`)}) as initiated_on
      from scoped s left join sessions x on x.episode_id = s.episode_id
      group by s.episode_id, s.grp, s.ends_on, s.admitted_on
    ),
    engagement as (
      select p.episode_id, count(distinct x.session_date) as later
      from per_episode p join sessions x on x.episode_id = p.episode_id
      where x.status = 'attended' and ${inEngagementWindow(sql`x.session_date`, sql`p.initiated_on`)}
      group by p.episode_id
    )
    select p.grp, count(*)::int as n,
      sum(p.attended)::int as attended, sum(p.no_show)::int as no_show,
      ${perWeekSum(sql`p.attended`, sql`p.days_in`)} as per_week_sum,
      count(p.initiated_on)::int as initiated,
      count(*) filter (where ${isEngaged(sql`coalesce(g.later, 0)`)})::int as engaged
    from per_episode p left join engagement g on g.episode_id = p.episode_id
    group by p.grp`.execute(db);
  return rows;
}

/** Attended and no-show sessions per group and week since admission (week = floor(day/7)). */
export async function attendanceByWeek(db: Kysely<DB>, f: MetricFilters): Promise<AttendanceWeekRow[]> {
  const { rows } = await sql<AttendanceWeekRow>`
    with ${scopedEpisodes(f)}, ${sessions(f)}
    select grp, (${weekOf(sql`day`)})::int as week,
      count(*) filter (where status = 'attended')::int as attended,
      count(*) filter (where status = 'no_show')::int as no_show
    from sessions where ${inWeeklySeries(sql`day`)}
    group by grp, ${weekOf(sql`day`)} order by grp, week`.execute(db);
  return rows;
}

/** The sum over episodes of attended sessions per week in program (`perWeekRate`, the figure the model path sums). */
export function perWeekSum(attended: RawBuilder<unknown>, days: RawBuilder<unknown>): RawBuilder<number> {
  return sql<number>`sum(${perWeekRate(attended, days)})::float8`;
}
