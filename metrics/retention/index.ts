import type { Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import type { MetricFamily, MetricSource } from '../family';
import type { MetricFilters } from '../filters';
import { groupRows, logRankOut, type KmCountRow } from '../km-fields';
import { buildGroups, echoFilters, hiddenGroups, respond } from '../response';
import { groupSizes } from '../sql/groups';
import type { MetricResponse } from '../types';
import { retentionDefinition } from './definition';
import { plannedDays, retentionCounts } from './facts';
import { retentionCountsFromModel } from './model';
import { lastDay, retentionDays, retentionGroup } from './statistics';

/** Every scoped episode is one event or censoring, so a KM table also gives the group sizes. */
function sizesOf(rows: readonly KmCountRow[]): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const r of rows) sizes.set(r.grp, (sizes.get(r.grp) ?? 0) + r.events + r.censored);
  return sizes;
}

/** docs/metrics.md "Retention": KM per group from a (group, day, events, censored) table. */
export async function retention(db: Kysely<DB>, f: MetricFilters, minCell: number, source: MetricSource = 'facts'): Promise<MetricResponse<'retention'>> {
  const [[sizes, counts], planned] = await Promise.all([
    source === 'facts'
      ? Promise.all([groupSizes(db, f), retentionCounts(db, f)])
      : retentionCountsFromModel(db, f, source === 'rollup').then((rows) => [sizesOf(rows), rows] as const),
    plannedDays(db, f),
  ]);
  const byGroup = groupRows(counts);
  // Only the groups published in full decide whether the late day is offered (docs/metrics.md "Retention time points").
  const hidden = hiddenGroups(f, minCell, sizes);
  const days = retentionDays([...sizes.keys()].filter((grp) => !hidden.has(grp)).map((grp) => lastDay(byGroup.get(grp) ?? [])));
  const groups = buildGroups(f, minCell, sizes, (grp, key, n) =>
    retentionGroup(byGroup.get(grp) ?? [], key, n, minCell, days, planned.get(grp) ?? null));
  return respond({
    metric: 'retention',
    filters: f,
    minCell,
    echo: echoFilters(f),
    definition: retentionDefinition(minCell),
    groups,
    logRank: logRankOut([...byGroup.values()]),
  });
}

export const RETENTION: MetricFamily<'retention'> = {
  name: 'retention',
  summary: 'Retention: Kaplan–Meier time to dropout, median, days 30/60, planned length (and 90 when reached), log-rank',
  dependsOn: ['attendance_through'],
  compute: retention,
};

export { retentionDefinition } from './definition';
export { retentionGroup } from './statistics';
