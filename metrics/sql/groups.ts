import { sql, type Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import type { MetricFilters } from '../filters';
import { scopedEpisodes } from './scope';

/** Episodes per stratum: the `n` of every group, and the list of groups present. */
export async function groupSizes(db: Kysely<DB>, f: MetricFilters): Promise<Map<string, number>> {
  const { rows } = await sql<{ grp: string; n: number }>`
    with ${scopedEpisodes(f)}
    select grp, count(*)::int as n from scoped group by grp`.execute(db);
  return new Map(rows.map((r) => [r.grp, r.n]));
}
