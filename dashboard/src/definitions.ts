// The wording of docs/metrics.md (the metric contract), shown under each chart so a
// reader can cite the definition without leaving the page.

export const DEFINITIONS = {
  retention:
    'Dropout is a discharge reason of dropped_out, against_advice or terminated, at day discharged_on − admitted_on (admission day = 0). ' +
    'Any other discharge is censored at its discharge day; an open episode is censored at as_of − admitted_on, unless its last attended session ' +
    '(or admission) lies more than 30 days before as_of, when it counts as a dropout at that day. Kaplan–Meier product-limit estimate; ' +
    '95% CI on the log scale, exp(log S ± 1.96·sqrt(Σ d/(n(n−d)))), upper limit capped at 1 (R survival::survfit defaults). ' +
    'Median days: the first time S(t) ≤ 0.5. Log-rank test across the groups present.',
  riskTable:
    'Number of episodes still at risk (not yet dropped out or censored) at the start of each day shown, read from the Kaplan–Meier curve. ' +
    'Under small-cell suppression the curve is coarsened and ends once fewer than min_cell remain at risk.',
  reasons:
    'Counts per discharge reason among discharged episodes. Completion rate = completed / discharged; positive discharge rate = ' +
    '(completed + transferred) / discharged (the TEDS-D convention), each with a Wilson score 95% CI without continuity correction.',
  completion:
    'Denominator: discharged episodes. completion_rate = completed / discharged, with a Wilson score 95% CI without continuity correction.',
  trajectory:
    'The mean score per week since admission (week = floor(day/7), weeks 0–16), with a 95% t-interval and n.',
  jtClasses:
    'Reliable change (Jacobson–Truax). RC is the instrument’s reliable_change_points, else 1.96·SD·√2·√(1−reliability). ' +
    'A change of at least RC in the improving direction is reliable improvement; at least RC the other way is reliable deterioration. ' +
    'Recovered = reliable improvement, a baseline on the clinical side of clinical_cutoff and a follow-up on the healthy side. ' +
    'The classes are exclusive: recovered, improved (reliable improvement, not recovered), unchanged and deteriorated. ' +
    'Baseline: the first score from admission − 14 days to admission + 7 days. Follow-up: the last score ≥ 14 days after the baseline, ' +
    'up to discharge + 14 days (or as-of). Paired: the episodes that have both.',
  scatter:
    'Each point is a (baseline, follow-up) pair of scores; its size is the number of episodes with that pair (cells of fewer than min_cell are dropped). ' +
    'Points inside the band changed by less than the reliable-change threshold RC; the lines mark the clinical cutoff on each axis.',
  completeness: 'Completeness = paired / episodes with a baseline.',
  abstinenceByWeek:
    'Tests counted: those dated within the episode. Positive: result positive and not prescribed; refused and missed count as positive; ' +
    'invalid is ignored. Abstinence rate = negative tests / counted tests, pooled over episodes, with a Wilson CI; here per week in program.',
  relapseRate:
    'Relapse: a positive test after the episode’s first negative test. relapse_rate = episodes with a relapse / episodes with at least one negative, ' +
    'with a Wilson CI.',
  timeToRelapse:
    'Time to relapse: Kaplan–Meier from the first negative test (day 0). The event is the first later positive; censoring is at the last test day. ' +
    'The same conventions as retention: log-scale 95% CI, median = first time S(t) ≤ 0.5, log-rank test across groups.',
  attendanceByWeek:
    'attendance_rate = attended / (attended + no_show). Cancelled and excused sessions are excluded. Shown per week in program with a Wilson CI.',
  iet:
    'Initiation (HEDIS IET, adapted): an attended session within 14 days of admission. Engagement: initiation, plus ≥ 2 more attended sessions ' +
    'within 34 days after the initiation session. Rates carry Wilson CIs.',
  pChart:
    'Monthly completion rate (completed / discharged, by admission month). Centre line p̄ = Σcompleted / Σdischarged; control limits ' +
    'p̄ ± 3·sqrt(p̄(1−p̄)/nᵢ), varying with each month’s discharges nᵢ and clipped to [0, 1]. Months with suppressed counts are left out of p̄.',
  overview:
    'Episodes: episodes in the retention cohort. Completion: completed / discharged (Wilson 95% CI). 90-day retention: Kaplan–Meier S(90). ' +
    'PHQ-9 reliable improvement: (recovered + improved) / paired (Jacobson–Truax). Abstinence: negative / counted tests (Wilson 95% CI).',
} as const;

export type DefinitionName = keyof typeof DEFINITIONS;
