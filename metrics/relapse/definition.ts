import { BASELINE_FROM, BASELINE_TO, END_OF_TREATMENT_DAYS, LAST_WEEK } from '../../warehouse/rules';
import { AS_OF, daysFromAdmission, intervalWords, LOG_RANK_TEXT, suppressionText, weeksWords } from '../definition-text';
import type { MetricFilters } from '../filters';
import { suppressionRule } from '../response';

/**
 * The self-report intake window: the symptom baseline window (docs/metrics.md "Relapse
 * and abstinence"). The block states it only inside the `self_report` sentence, so the
 * text reads it from here, the same values that sentence is written with.
 */
const SELF_REPORT_INTAKE_DAYS: [number, number] = [BASELINE_FROM, BASELINE_TO];

/** The rules of a relapse response (docs/metrics.md "Relapse and abstinence"), with the request's options. */
function relapseRules(f: MetricFilters, minCell: number) {
  const [from, to] = SELF_REPORT_INTAKE_DAYS;
  return {
    tests_counted: 'tests dated within the episode (admission to discharge, or as_of)',
    substance: f.substance ? f.substance.join(', ') : 'all substances',
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
    self_report: `days_used_past_30 of self_report tests: intake = first report from admission - ${-from} to admission + ${to} days, latest = last report up to the episode end; change where the latest follows the intake`,
    ci: { level: 0.95, method: 'wilson', continuity_correction: false },
    by_week: { week: 'floor((collected_on - admitted_on) / 7)', weeks: [0, LAST_WEEK] as [number, number] },
    suppression: suppressionRule(minCell),
  };
}

/** The relapse rules in plain sentences, each window and option read from the rules object. */
export function relapseText(d: ReturnType<typeof relapseRules>) {
  const eot = d.end_of_treatment.days;
  const [from, to] = SELF_REPORT_INTAKE_DAYS;
  return {
    tests_counted: `Tests count when dated within the episode (admission to discharge, or ${AS_OF}); substance: ${d.substance}` +
      (d.substance === 'all substances' ? '.' : ' (the episodes whose primary substance is one of these, and only their tests of these substances).'),
    positive: `A test is positive when its result is positive and the substance was not prescribed${d.missing_as_positive ? '; refused and missed tests count as positive' : ''}. ` +
      `Not counted: ${d.ignored.join('; ')}.`,
    abstinence_rate: 'Abstinence rate = negative tests / counted tests, pooled over episodes.',
    end_of_treatment: `End-of-treatment abstinence: of the episodes discharged by ${AS_OF} with at least one counted test in their last ${eot} days (from ${eot - 1} days before discharge to discharge), the share whose tests there are all negative.`,
    relapse: 'Relapse: a positive test after the episode’s first negative test. Relapse rate = episodes with a relapse / episodes with at least one negative test.',
    time_to_relapse: 'Time to relapse: Kaplan–Meier from the first negative test (day 0); the event is the first later positive test, and an episode without one is censored at its last counted test. ' +
      'Greenwood standard errors and 95% log-scale intervals (the defaults of R survival); the median is the first day on which S(t) ≤ 0.5. ' + LOG_RANK_TEXT,
    self_report: `Self-reported days of use in the past 30: the intake is the first report from ${daysFromAdmission(from)} to ${daysFromAdmission(to)}, the latest is the last report up to the end of the episode; the change is taken where the latest follows the intake.`,
    ci: `Each rate carries a ${intervalWords(d.ci)}.`,
    by_week: `Weekly series: ${weeksWords(d.by_week.weeks)}.`,
    suppression: suppressionText(d.suppression),
  };
}

/** The `definition` block of a relapse response: the rules, and the same rules as `text`. */
export function relapseDefinition(f: MetricFilters, minCell: number) {
  const rules = relapseRules(f, minCell);
  return { ...rules, text: relapseText(rules) };
}

export type RelapseTextPart = keyof ReturnType<typeof relapseText>;
