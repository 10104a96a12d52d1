import { DROPOUT_REASONS, LOST_TO_FOLLOW_UP_DAYS, RETENTION_DAYS } from '../../warehouse/rules';
import { suppressionRule } from '../response';

/** The `definition` block of a retention response (docs/metrics.md "Retention"), from the rules of warehouse/rules.ts. */
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
