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
