import { sql, type Kysely } from 'kysely';
import type { DB } from '../../../warehouse/db-types';
import type { MetricFilters } from '../../filters';
import { DROPOUT_REASONS, LOST_TO_FOLLOW_UP_DAYS, type KmCountRow } from '../retention';
import { scopedModel, modelQuery } from './scope';

/**
 * `retentionCounts` from the model: the last attended session is the model's
 * `last_attended_on`, which equals the facts' "last attended on or before as_of" when
 * no session is dated after as_of (the condition for reading the model at all).
 */
export async function retentionCountsFromModel(db: Kysely<DB>, f: MetricFilters): Promise<KmCountRow[]> {
  const asOf = sql`${f.as_of}::date`;
  const lost = sql`(${asOf} - greatest(s.last_attended_on, s.admitted_on) > ${LOST_TO_FOLLOW_UP_DAYS})`;
  return modelQuery(db, async (trx) => (await sql<KmCountRow>`
    select grp, day, count(*) filter (where event)::int as events, count(*) filter (where not event)::int as censored
    from (
      select s.grp,
        case
          when s.closed then s.discharged_on - s.admitted_on
          when ${lost} then greatest(s.last_attended_on, s.admitted_on) - s.admitted_on
          else ${asOf} - s.admitted_on
        end as day,
        case when s.closed then s.discharge_reason = any(${[...DROPOUT_REASONS]}::text[]) else ${lost} end as event
      from ${scopedModel(f)}
    ) t
    group by grp, day order by grp, day`.execute(trx)).rows);
}
