import { sql, type Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import { isDropout, isLostToFollowUp, lastSeenOn } from '../../warehouse/models/per-episode';
import type { MetricFilters } from '../filters';
import type { KmCountRow } from '../km-fields';
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
