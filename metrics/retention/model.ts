import { sql, type Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import type { MetricFilters } from '../filters';
import { isDropout, isLostToFollowUp } from '../../warehouse/models/per-episode';
import type { KmCountRow } from '../km-fields';
import { countSource } from '../sql/rollup';
import { modelQuery } from '../sql/model-scope';

/**
 * `retentionCounts` from the model's stays (warehouse/models/rollup.ts `STAY_KEY`): a
 * discharged episode's length of stay and reason, an open one's days to its last attended
 * session, counted from `stay_counts` with `useRollup` (metrics/source.ts decides). The last attended
 * session is the model's `last_attended_on`, which equals the facts' "last attended on or
 * before as_of" when no session is dated after as_of (the condition for reading the model
 * at all). as_of applies here: an open episode unseen for over 30 days is lost to
 * follow-up (an event on its last attended day), else censored at as_of.
 */
export async function retentionCountsFromModel(db: Kysely<DB>, f: MetricFilters, useRollup: boolean): Promise<KmCountRow[]> {
  const asOf = sql`${f.as_of}::date`;
  const lost = isLostToFollowUp(asOf, sql`(s.admitted_on + s.los)`);
  return modelQuery(db, async (trx) => (await sql<KmCountRow>`
    select grp, day, coalesce(sum(n) filter (where event), 0)::int as events, coalesce(sum(n) filter (where not event), 0)::int as censored
    from (
      select s.grp, s.n,
        case when not s.open or ${lost} then s.los else ${asOf} - s.admitted_on end as day,
        case when s.open then ${lost} else ${isDropout(sql`s.reason`)} end as event
      from ${countSource(f, 'stay_counts', useRollup)}
    ) t
    group by grp, day order by grp, day`.execute(trx)).rows);
}
