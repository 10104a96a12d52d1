import { BASELINE_FROM, BASELINE_TO, END_OF_TREATMENT_DAYS, LAST_WEEK } from '../../warehouse/rules';
import type { MetricFilters } from '../filters';
import { suppressionRule } from '../response';

/** The `definition` block of a relapse response (docs/metrics.md "Relapse and abstinence"), with the request's options. */
export function relapseDefinition(f: MetricFilters, minCell: number): Record<string, unknown> {
  return {
    tests_counted: 'tests dated within the episode (admission to discharge, or as_of)',
    substance: f.substance ?? 'all substances',
    positive: 'result positive and not prescribed' + (f.missing_as_positive ? '; refused and missed count as positive' : ''),
    missing_as_positive: f.missing_as_positive,
    ignored: ['invalid', 'positive when prescribed', ...(f.missing_as_positive ? [] : ['refused', 'missed'])],
    abstinence_rate: 'negative tests / counted tests, pooled over episodes',
    end_of_treatment: {
      days: END_OF_TREATMENT_DAYS,
      rule: `episodes discharged by as_of whose counted tests in their last ${END_OF_TREATMENT_DAYS} days (discharge - ${END_OF_TREATMENT_DAYS - 1} to discharge) are all negative, over those with at least one test there`,
    },
    relapse: 'a positive test dated after the episode\'s first negative test',
    relapse_rate: 'episodes with a relapse / episodes with at least one negative test',
    time_to_relapse: {
      origin: 'first negative test (day 0)',
      event: 'first later positive test',
      censored: 'at the last counted test',
      estimator: 'Kaplan-Meier with Greenwood SE and log-scale 95% CI (R survival::survfit defaults); n = with_negative',
      log_rank: 'Mantel-Haenszel log-rank across the groups present (R survival::survdiff, rho = 0)',
    },
    self_report: `days_used_past_30 of self_report tests: intake = first report from admission - ${-BASELINE_FROM} to admission + ${BASELINE_TO} days, latest = last report up to the episode end; change where the latest follows the intake`,
    ci: { level: 0.95, method: 'wilson', continuity_correction: false },
    by_week: { week: 'floor((collected_on - admitted_on) / 7)', weeks: [0, LAST_WEEK] },
    suppression: suppressionRule(minCell),
  };
}
