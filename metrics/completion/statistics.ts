import { DISCHARGE_REASONS, POSITIVE_REASONS } from '../../warehouse/rules';
import { Cells, withSuppressed } from '../cells';
import type { CompletionGroup } from '../types';
import type { LosRow } from './facts';

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
