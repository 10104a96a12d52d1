import type { Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import { DISCHARGE_REASONS } from '../../warehouse/rules';
import type { MetricFamily, MetricSource } from '../family';
import type { MetricFilters } from '../filters';
import { buildGroups, echoFilters, respond } from '../response';
import { groupSizes } from '../sql/groups';
import type { MetricResponse } from '../types';
import { completionDefinition } from './definition';
import { lengthOfStay, reasonCounts } from './facts';
import { completionFromModel } from './model';
import { completionGroup } from './statistics';

/** docs/metrics.md "Completion": per-group reason counts and LOS quantiles, then Wilson CIs in TS. */
export async function completion(db: Kysely<DB>, f: MetricFilters, minCell: number, source: MetricSource = 'facts'): Promise<MetricResponse<'completion'>> {
  const [sizes, reasonRows, losRows] = source === 'facts'
    ? await Promise.all([groupSizes(db, f), reasonCounts(db, f), lengthOfStay(db, f)])
    : await completionFromModel(db, f, DISCHARGE_REASONS, source === 'rollup').then((m) => [m.sizes, m.reasons, m.los] as const);
  const reasonsBy = new Map<string, Record<string, number>>();
  for (const { grp, reason, n } of reasonRows) reasonsBy.set(grp, { ...reasonsBy.get(grp), [reason]: n });
  const losBy = new Map(losRows.map((r) => [r.grp, r]));
  const groups = buildGroups(f, minCell, sizes, (grp, key, n) =>
    completionGroup({ reasons: reasonsBy.get(grp) ?? {}, los: losBy.get(grp) }, key, n, minCell));
  return respond({ metric: 'completion', filters: f, minCell, echo: echoFilters(f), definition: completionDefinition(minCell), groups });
}

export const COMPLETION: MetricFamily<'completion'> = {
  name: 'completion',
  summary: 'Completion and positive discharge rates with Wilson CIs, length of stay',
  // the stays depend on the episodes only, which model_state.stale covers
  dependsOn: [],
  compute: completion,
};

export { completionDefinition } from './definition';
export { completionGroup, type CompletionInput } from './statistics';
