import { sql, type Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import { isDropout, isLostToFollowUp, lastSeenOn } from '../../warehouse/models/per-episode';
import { DAYS_PER_WEEK } from '../../warehouse/rules';
import type { MetricFilters } from '../filters';
import type { KmCountRow } from '../km-fields';
import { isOneWay } from '../sql/rollup';
import { scopedEpisodes } from '../sql/scope';

/**
 * (group, day, events, censored) for the retention KM, computed from the facts so
 * that any as_of is honoured: only attended sessions dated on or before as_of count
 * towards an open episode's last attendance (read only for open episodes, through
 * the attendance (episode_id, session_date) index).
 */
export async function retentionCounts(db: Kysely<DB>, f: MetricFilters): Promise<KmCountRow[]> {
  const asOf = sql`${f.as_of}::date`;
  const lost = isLostToFollowUp(asOf, sql`seen_on`);
  const { rows } = await sql<KmCountRow>`
    with ${scopedEpisodes(f)},
    last_attended as (
      select s.episode_id, max(a.session_date) as last_on
      from scoped s join attendance a on a.episode_id = s.episode_id
      where s.discharged_on is null and a.status = 'attended' and a.session_date <= ${asOf}
      group by s.episode_id
    ),
    timed as (
      select s.grp, s.discharged_on, s.discharge_reason, s.admitted_on,
        ${lastSeenOn(sql`l.last_on`, sql`s.admitted_on`)} as seen_on
      from scoped s left join last_attended l on l.episode_id = s.episode_id
    ),
    outcome as (
      select grp,
        case
          when discharged_on is not null then discharged_on - admitted_on
          when ${lost} then seen_on - admitted_on
          else ${asOf} - admitted_on
        end as day,
        case
          when discharged_on is not null then ${isDropout(sql`discharge_reason`)}
          else ${lost}
        end as event
      from timed
    )
    select grp, day, count(*) filter (where event)::int as events, count(*) filter (where not event)::int as censored
    from outcome group by grp, day order by grp, day`.execute(db);
  return rows;
}

/**
 * docs/metrics.md "Retention time points": the planned length of each group in days, the
 * `planned_weeks` of the group's track times 7 when every scoped episode of the group is in
 * a track with the same non-null planned length (grouped by track: that track's), else null
 * (tracks of different lengths mixed in one site, sex or period group, or a track with no
 * planned length). An episode's own `planned_weeks` override does not move the group's time
 * point: one group, one published day. Read from the facts for every source: one pass over
 * the scoped episodes joined to the small `tracks` table.
 */
export async function plannedDays(db: Kysely<DB>, f: MetricFilters): Promise<Map<string, number | null>> {
  // By track, a group's planned length is its track's: the small tracks table answers, with
  // no pass over the episodes (retention by track is read from the rollups).
  const { rows } = isOneWay(f, 'track')
    ? await sql<{ grp: string; planned_weeks: number | null }>`select track_code as grp, planned_weeks from tracks`.execute(db)
    : await sql<{ grp: string; planned_weeks: number | null }>`
    with ${scopedEpisodes(f)}
    select s.grp,
      case when count(distinct t.planned_weeks) = 1 and bool_and(t.planned_weeks is not null)
        then min(t.planned_weeks) end::int as planned_weeks
    from scoped s join episodes e on e.episode_id = s.episode_id join tracks t on t.track_code = e.track_code
    group by s.grp`.execute(db);
  return new Map(rows.map((r) => [r.grp, r.planned_weeks === null ? null : r.planned_weeks * DAYS_PER_WEEK]));
}
