import type { Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import { Cells, withSuppressed } from '../cells';
import type { MetricFilters } from '../filters';
import { kmFields, logRankOut } from '../km-fields';
import { buildGroups, echoFilters, respond, suppressionRule } from '../response';
import { retentionCountsFromModel } from './model';
import { groupSizes } from '../sql/groups';
import type { MetricSource } from '../source';
import { DROPOUT_REASONS, LOST_TO_FOLLOW_UP_DAYS, retentionCounts, type KmCountRow } from './facts';
import { survivalAt, type CountRow, type KmCurve } from '../stats/kaplan-meier';
import type { MetricResponse, RetentionGroup, SurvivalPoint } from '../types';

export const RETENTION_DAYS = ['30', '60', '90'] as const;

export function retentionDefinition(minCell: number): Record<string, unknown> {
  return {
    event: { discharge_reasons: [...DROPOUT_REASONS], at: 'discharged_on - admitted_on' },
    censored: ['any other discharge reason, at its discharge day', 'an open episode, at as_of - admitted_on'],
    lost_to_follow_up_days: LOST_TO_FOLLOW_UP_DAYS,
    lost_to_follow_up: 'an open episode whose last attended session (or admission) is more than lost_to_follow_up_days before as_of is a dropout at that day',
    estimator: 'Kaplan-Meier product limit (Kaplan & Meier 1958); censorings on day t stay at risk for the events on day t',
    std_err: 'Greenwood standard error of S(t)',
    ci: { level: 0.95, method: 'log', upper_capped_at: 1, convention: 'R survival::survfit defaults' },
    median: 'first day S(t) <= 0.5; CI from the CI curves (R print.survfit)',
    retention_at_days: RETENTION_DAYS.map(Number),
    log_rank: 'Mantel-Haenszel log-rank across the groups present (R survival::survdiff, rho = 0)',
    suppression: suppressionRule(minCell),
  };
}

export function groupRows(rows: readonly KmCountRow[]): Map<string, CountRow[]> {
  const byGroup = new Map<string, CountRow[]>();
  for (const { grp, day, events, censored } of rows) {
    const list = byGroup.get(grp) ?? [];
    list.push({ day, events, censored });
    byGroup.set(grp, list);
  }
  return byGroup;
}

function pointAt(km: KmCurve, day: number): SurvivalPoint {
  const at = survivalAt(km, day);
  return { survival: at?.survival ?? null, lower: at?.lower ?? null, upper: at?.upper ?? null };
}

export function retentionGroup(rows: readonly CountRow[], key: RetentionGroup['key'], n: number, minCell: number): RetentionGroup {
  const cells = new Cells(minCell);
  const { fields, km } = kmFields(rows, cells);
  const retention_at = { '30': pointAt(km, 30), '60': pointAt(km, 60), '90': pointAt(km, 90) };
  const { events, median_days, median_ci, curve } = fields;
  return withSuppressed({ key, n, events, median_days, median_ci, retention_at, curve }, cells);
}

/** Every scoped episode is one event or censoring, so a KM table also gives the group sizes. */
function sizesOf(rows: readonly KmCountRow[]): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const r of rows) sizes.set(r.grp, (sizes.get(r.grp) ?? 0) + r.events + r.censored);
  return sizes;
}

/** METRICS.md "Retention": KM per group from a (group, day, events, censored) table. */
export async function retention(db: Kysely<DB>, f: MetricFilters, minCell: number, source: MetricSource = 'facts'): Promise<MetricResponse<'retention'>> {
  const [sizes, counts] = source === 'model'
    ? await retentionCountsFromModel(db, f).then((rows) => [sizesOf(rows), rows] as const)
    : await Promise.all([groupSizes(db, f), retentionCounts(db, f)]);
  const byGroup = groupRows(counts);
  const groups = buildGroups(f, minCell, sizes, (grp, key, n) => retentionGroup(byGroup.get(grp) ?? [], key, n, minCell));
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
