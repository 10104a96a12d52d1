import { DISCHARGE_REASONS, POSITIVE_REASONS } from '../../warehouse/rules';
import { suppressionRule } from '../response';

/** The `definition` block of a completion response (docs/metrics.md "Completion"). */
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
