import { DROPOUT_REASONS, LOST_TO_FOLLOW_UP_DAYS, RETENTION_DAYS } from '../../warehouse/rules';
import { AS_OF, list, LOG_RANK_TEXT, percent, spoken, suppressionText } from '../definition-text';
import { suppressionRule } from '../response';

/** The rules of a retention response (docs/metrics.md "Retention"), from warehouse/rules.ts. */
function retentionRules(minCell: number) {
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

/** The retention rules in plain sentences, each number read from the rules object. */
export function retentionText(d: ReturnType<typeof retentionRules>) {
  return {
    event: `Dropout is a discharge with reason ${list(d.event.discharge_reasons.map(spoken))}, on the day of discharge (days since admission; the admission day is day 0).`,
    censored: `Any other discharge is censored on its discharge day; an episode still open is censored on ${AS_OF}.`,
    lost_to_follow_up: `An open episode whose last attended session (or admission, if none) lies more than ${d.lost_to_follow_up_days} days before ${AS_OF} counts as a dropout on that last attended day.`,
    estimator: 'Kaplan–Meier product-limit estimate (Kaplan & Meier 1958) with Greenwood standard errors (Greenwood 1926); censorings on a day stay at risk for that day’s dropouts.',
    ci: `${percent(d.ci.level)} confidence interval on the ${d.ci.method} scale, upper limit capped at ${d.ci.upper_capped_at} (the defaults of R survival).`,
    median: 'Median days: the first day on which S(t) ≤ 0.5, its interval read from the interval curves (as R survival prints it).',
    retention_at_days: `Retention is published at days ${list(d.retention_at_days, 'and')}.`,
    log_rank: LOG_RANK_TEXT,
    suppression: suppressionText(d.suppression),
  };
}

/** The `definition` block of a retention response: the rules, and the same rules as `text`. */
export function retentionDefinition(minCell: number) {
  const rules = retentionRules(minCell);
  return { ...rules, text: retentionText(rules) };
}

export type RetentionTextPart = keyof ReturnType<typeof retentionText>;
