import type { Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import type { MetricFamily, MetricSource } from '../family';
import type { MetricFilters } from '../filters';
import { groupRows, logRankOut } from '../km-fields';
import { buildGroups, echoFilters, respond } from '../response';
import { bucket } from '../rows';
import { groupSizes } from '../sql/groups';
import type { MetricResponse } from '../types';
import { relapseDefinition } from './definition';
import { relapseByGroup, relapseByWeek, relapseKmCounts, selfReport } from './facts';
import { relapseFromModel } from './model';
import { relapseGroup } from './statistics';

/** docs/metrics.md "Relapse and abstinence". */
export async function relapse(db: Kysely<DB>, f: MetricFilters, minCell: number, source: MetricSource = 'facts'): Promise<MetricResponse<'relapse'>> {
  const [sizes, rows, kmRows, weekRows, reports] = source === 'facts'
    ? await Promise.all([groupSizes(db, f), relapseByGroup(db, f), relapseKmCounts(db, f), relapseByWeek(db, f), selfReport(db, f)])
    : await relapseFromModel(db, f, source === 'rollup').then((m) => [m.sizes, m.groups, m.km, m.weeks, m.reports] as const);
  const byGroup = new Map(rows.map((r) => [r.grp, r]));
  const kmBy = groupRows(kmRows);
  const weeksBy = bucket(weekRows);
  const reportsBy = new Map(reports.map((r) => [r.grp, r]));
  const groups = buildGroups(f, minCell, sizes, (grp, key, n) => relapseGroup({
    row: byGroup.get(grp), km: kmBy.get(grp) ?? [], weeks: weeksBy.get(grp) ?? [], selfReport: reportsBy.get(grp),
  }, key, n, minCell));
  return respond({
    metric: 'relapse', filters: f, minCell,
    echo: echoFilters(f, { substance: f.substance, missing_as_positive: f.missing_as_positive }),
    definition: relapseDefinition(f, minCell), groups,
    logRank: logRankOut([...kmBy.values()]),
  });
}

export const RELAPSE: MetricFamily<'relapse'> = {
  name: 'relapse',
  summary: 'Abstinence, end-of-treatment abstinence, relapse rate and time to relapse',
  dependsOn: ['tests_through'],
  // the models hold the default conventions only: every substance, refused and missed positive
  modelHolds: (f) => f.substance === null && f.missing_as_positive,
  compute: relapse,
};

export { relapseDefinition } from './definition';
export { relapseGroup, type RelapseInput } from './statistics';
