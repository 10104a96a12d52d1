import { sql, type Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import type { MetricFilters } from '../filters';
import { scopedEpisodes } from '../sql/scope';

/** METRICS.md "Retention": the discharge reasons that count as dropout. */
export const DROPOUT_REASONS = ['dropped_out', 'against_advice', 'terminated'] as const;
/** METRICS.md "Lost to follow-up": an open episode with no attended session for this long. */
export const LOST_TO_FOLLOW_UP_DAYS = 30;

export interface KmCountRow {
  grp: string;
  day: number;
  events: number;
  censored: number;
}

/**
 * (group, day, events, censored) for the retention KM, computed from the facts so
 * that any as_of is honoured: only attended sessions dated on or before as_of count
 * towards an open episode's last attendance (read only for open episodes, through
 * the attendance (episode_id, session_date) index).
 */
export async function retentionCounts(db: Kysely<DB>, f: MetricFilters): Promise<KmCountRow[]> {
  const asOf = sql`${f.as_of}::date`;
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
        greatest(l.last_on, s.admitted_on) as seen_on
      from scoped s left join last_attended l on l.episode_id = s.episode_id
    ),
    outcome as (
      select grp,
        case
          when discharged_on is not null then discharged_on - admitted_on
          when ${asOf} - seen_on > ${LOST_TO_FOLLOW_UP_DAYS} then seen_on - admitted_on
          else ${asOf} - admitted_on
        end as day,
        case
          when discharged_on is not null then discharge_reason = any(${[...DROPOUT_REASONS]}::text[])
          else ${asOf} - seen_on > ${LOST_TO_FOLLOW_UP_DAYS}
        end as event
      from timed
    )
    select grp, day, count(*) filter (where event)::int as events, count(*) filter (where not event)::int as censored
    from outcome group by grp, day order by grp, day`.execute(db);
  return rows;
}
