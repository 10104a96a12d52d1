import { sql, type Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import type { MetricFilters } from '../filters';
import { scopedEpisodes } from '../sql/scope';

export interface MeanRow {
  grp: string;
  n: number;
  total: number;
}

/**
 * Length of stay per admission period over the episodes discharged by as_of, with the
 * completion metric's formula (discharged_on − admitted_on, in days; docs/metrics.md
 * "Completion"): the count and the sum, so the I-chart point is their mean.
 */
export async function lengthOfStayByPeriod(db: Kysely<DB>, f: MetricFilters): Promise<MeanRow[]> {
  const { rows } = await sql<MeanRow>`
    with ${scopedEpisodes(f)}
    select grp, count(*)::int as n, sum(discharged_on - admitted_on)::float8 as total
    from scoped where discharged_on is not null group by grp`.execute(db);
  return rows;
}

/**
 * The longest planned length of treatment, in weeks, among the request's episodes: an
 * episode's own `planned_weeks`, else its track's (docs/warehouse.md); null when none
 * records one. Maturity waits for the longest, so no period enters a chart early.
 */
export async function longestPlannedWeeks(db: Kysely<DB>, f: MetricFilters): Promise<number | null> {
  const { rows } = await sql<{ weeks: number | null }>`
    with ${scopedEpisodes(f)}
    select max(coalesce(e.planned_weeks, t.planned_weeks))::int as weeks
    from scoped s join episodes e on e.episode_id = s.episode_id join tracks t on t.track_code = e.track_code`.execute(db);
  return rows[0]?.weeks ?? null;
}

/**
 * Wait days per admission period (docs/metrics.md "SPC charts"; NIATx): the first
 * attended session on or before as_of minus `first_contact_on`, over the episodes with a
 * first contact and an attended session; the count and the sum.
 */
export async function waitDaysByPeriod(db: Kysely<DB>, f: MetricFilters): Promise<MeanRow[]> {
  const { rows } = await sql<MeanRow>`
    with ${scopedEpisodes(f)},
    first_session as (
      select a.episode_id, min(a.session_date) as first_on
      from scoped s join attendance a on a.episode_id = s.episode_id
      where a.status = 'attended' and a.session_date <= ${f.as_of}::date
      group by a.episode_id
    )
    select s.grp, count(*)::int as n, sum(fs.first_on - e.first_contact_on)::float8 as total
    from scoped s join episodes e on e.episode_id = s.episode_id join first_session fs on fs.episode_id = s.episode_id
    where e.first_contact_on is not null
    group by s.grp`.execute(db);
  return rows;
}

export interface DischargeDayRow {
  /** The discharge date, 'YYYY-MM-DD'. */
  day: string;
  reason: string | null;
  n: number;
  /** Sum of the lengths of stay, discharged_on − admitted_on in days (docs/metrics.md "Completion"). */
  los: number;
}

/**
 * The request's episodes discharged on or before as_of, per discharge day and reason, for
 * the discharge period basis (docs/metrics.md "SPC charts: Period basis"): the scope of the
 * metric families (tracks, list filters, admitted by as_of, a later discharge hidden),
 * except that `from` and `to` bound the discharge date, the chart's periods, instead of
 * the admission date. The periods are formed by metrics/spc/periods.ts.
 */
export async function dischargesByDay(db: Kysely<DB>, f: MetricFilters): Promise<DischargeDayRow[]> {
  const { rows } = await sql<DischargeDayRow>`
    with ${scopedEpisodes({ ...f, from: null, to: null })}
    select to_char(discharged_on, 'YYYY-MM-DD') as day, discharge_reason as reason, count(*)::int as n,
      sum(discharged_on - admitted_on)::float8 as los
    from scoped
    where discharged_on is not null
      and ${f.from ? sql`discharged_on >= ${f.from}::date` : sql`true`}
      and ${f.to ? sql`discharged_on <= ${f.to}::date` : sql`true`}
    group by 1, 2 order by 1, 2`.execute(db);
  return rows;
}
