import type { Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import { Cells, withSuppressed } from '../cells';
import type { MetricFilters } from '../filters';
import { buildGroups, echoFilters, respond, suppressionRule } from '../response';
import { groupSizes } from '../sql/groups';
import { completionFromModel } from './model';
import type { MetricSource } from '../source';
import { lengthOfStay, reasonCounts, type LosRow } from './facts';
import type { CompletionGroup, MetricResponse } from '../types';

/** Every discharge reason of DESIGN.md §4, so a reason with no discharges shows as 0. */
export const DISCHARGE_REASONS = ['completed', 'transferred', 'dropped_out', 'against_advice', 'terminated', 'incarcerated', 'died', 'other'] as const;
/** TEDS-D: a positive discharge is a completion or a transfer to further treatment. */
export const POSITIVE_REASONS = ['completed', 'transferred'] as const;

export function completionDefinition(minCell: number): Record<string, unknown> {
  return {
    denominator: 'episodes discharged on or before as_of',
    completion_rate: 'completed / discharged',
    positive_discharge_rate: 'discharge reason completed or transferred / discharged (TEDS-D)',
    positive_reasons: [...POSITIVE_REASONS],
    ci: { level: 0.95, method: 'wilson', continuity_correction: false },
    los: { unit: 'days', formula: 'discharged_on - admitted_on', quantiles: 'R type 7 (d3 quantile; PostgreSQL percentile_cont)' },
    reasons: [...DISCHARGE_REASONS],
    suppression: suppressionRule(minCell),
  };
}

export interface CompletionInput {
  reasons: Record<string, number>;
  los: LosRow | undefined;
}

export function completionGroup(input: CompletionInput, key: CompletionGroup['key'], n: number, minCell: number): CompletionGroup {
  const cells = new Cells(minCell);
  const all: Record<string, number> = Object.fromEntries(DISCHARGE_REASONS.map((r) => [r, input.reasons[r] ?? 0]));
  for (const [reason, count] of Object.entries(input.reasons)) all[reason] = count;
  const dischargedTotal = Object.values(all).reduce((s, v) => s + v, 0);
  const completedTotal = all.completed ?? 0;
  const positiveTotal = POSITIVE_REASONS.reduce((s, r) => s + (all[r] ?? 0), 0);

  const discharged = cells.count('discharged', dischargedTotal);
  const reasons = discharged === null
    ? Object.fromEntries(Object.keys(all).map((r) => [r, null]))
    : cells.row('reasons', all, dischargedTotal);
  if (discharged === null) cells.hide(...Object.keys(all).filter((r) => (all[r] ?? 0) > 0).map((r) => `reasons.${r}`));
  const completed = reasons.completed === null || discharged === null ? null : completedTotal;
  if (completed === null && completedTotal > 0) cells.hide('completed');

  const completion = completed === null ? hideRate(cells, 'completion') : cells.rate(['completion_rate', 'completion_ci'], completedTotal, dischargedTotal);
  const positiveHidden = discharged === null || POSITIVE_REASONS.some((r) => reasons[r] === null);
  const positive = positiveHidden ? hideRate(cells, 'positive_discharge') : cells.rate(['positive_discharge_rate', 'positive_discharge_ci'], positiveTotal, dischargedTotal);

  const los = input.los;
  const losShown = discharged !== null && los && los.los_median !== null && los.los_q1 !== null && los.los_q3 !== null;
  if (!losShown && dischargedTotal > 0) cells.hide('los_median', 'los_iqr');
  return withSuppressed({
    key, n, discharged, completed,
    completion_rate: completion.rate, completion_ci: completion.ci,
    positive_discharge_rate: positive.rate, positive_discharge_ci: positive.ci,
    los_median: losShown ? los.los_median : null,
    los_iqr: losShown && los.los_q1 !== null && los.los_q3 !== null ? [los.los_q1, los.los_q3] : null,
    reasons,
  }, cells);
}

function hideRate(cells: Cells, stem: string): { rate: null; ci: null } {
  cells.hide(`${stem}_rate`, `${stem}_ci`);
  return { rate: null, ci: null };
}

/** METRICS.md "Completion": per-group reason counts and LOS quantiles, then Wilson CIs in TS. */
export async function completion(db: Kysely<DB>, f: MetricFilters, minCell: number, source: MetricSource = 'facts'): Promise<MetricResponse<'completion'>> {
  const [sizes, reasonRows, losRows] = source === 'model'
    ? await completionFromModel(db, f, DISCHARGE_REASONS).then((m) => [m.sizes, m.reasons, m.los] as const)
    : await Promise.all([groupSizes(db, f), reasonCounts(db, f), lengthOfStay(db, f)]);
  const reasonsBy = new Map<string, Record<string, number>>();
  for (const { grp, reason, n } of reasonRows) reasonsBy.set(grp, { ...reasonsBy.get(grp), [reason]: n });
  const losBy = new Map(losRows.map((r) => [r.grp, r]));
  const groups = buildGroups(f, minCell, sizes, (grp, key, n) =>
    completionGroup({ reasons: reasonsBy.get(grp) ?? {}, los: losBy.get(grp) }, key, n, minCell));
  return respond({ metric: 'completion', filters: f, minCell, echo: echoFilters(f), definition: completionDefinition(minCell), groups });
}
