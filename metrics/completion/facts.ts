import { sql, type Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import type { MetricFilters } from '../filters';
import { scopedEpisodes } from '../sql/scope';

export interface ReasonCountRow {
  grp: string;
  reason: string;
  n: number;
}

export interface LosRow {
  grp: string;
  discharged: number;
  los_median: number | null;
  los_q1: number | null;
  los_q3: number | null;
}

/** Discharges per (group, reason), as of as_of. */
export async function reasonCounts(db: Kysely<DB>, f: MetricFilters): Promise<ReasonCountRow[]> {
  const { rows } = await sql<ReasonCountRow>`
    with ${scopedEpisodes(f)}
    select grp, discharge_reason as reason, count(*)::int as n
    from scoped where discharged_on is not null group by grp, discharge_reason`.execute(db);
  return rows;
}

/**
 * Length of stay (discharge − admission, in days) quartiles per group.
 * `percentile_cont` interpolates linearly between order statistics at
 * h = (n − 1)·p, which is R's type 7 and d3's `quantile` (Hyndman & Fan 1996),
 * so the quantiles come out of PostgreSQL without shipping each stay to Node.
 */
export async function lengthOfStay(db: Kysely<DB>, f: MetricFilters): Promise<LosRow[]> {
  const { rows } = await sql<LosRow>`
    with ${scopedEpisodes(f)}
    select grp, count(*)::int as discharged,
      percentile_cont(0.5) within group (order by discharged_on - admitted_on) as los_median,
      percentile_cont(0.25) within group (order by discharged_on - admitted_on) as los_q1,
      percentile_cont(0.75) within group (order by discharged_on - admitted_on) as los_q3
    from scoped where discharged_on is not null group by grp`.execute(db);
  return rows;
}
