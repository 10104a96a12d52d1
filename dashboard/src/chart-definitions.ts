// The definition under each chart, taken from the sentences every response carries
// (`definition.text`, generated from the same definition block the metric is computed with;
// docs/metrics.md "The `definition` block"). Only how a chart is drawn is written here, and
// nothing in it is a rule of the metric: the windows and thresholds come from the response.

import type { AttendanceTextPart } from '../../metrics/attendance/definition';
import type { CompletionTextPart } from '../../metrics/completion/definition';
import type { RelapseTextPart } from '../../metrics/relapse/definition';
import type { RetentionTextPart } from '../../metrics/retention/definition';
import type { SymptomsTextPart } from '../../metrics/symptoms/definition';
import type { OverviewInput } from './charts/overview-table';
import type {
  AdjustedComparison, AttendanceResponse, CompletionResponse, EquityComparison, RelapseResponse, RetentionResponse, SymptomsResponse,
} from './types';

/** The sentences of `parts`, in that order; a part the response does not state is skipped. */
export function sentences<P extends string>(text: Readonly<Record<string, string>>, parts: readonly P[]): string {
  return parts.flatMap((p) => (text[p] === undefined ? [] : [text[p]])).join(' ');
}

const KM_RETENTION: readonly RetentionTextPart[] = ['event', 'censored', 'lost_to_follow_up', 'estimator', 'ci', 'median', 'log_rank'];
const REASONS: readonly CompletionTextPart[] = ['denominator', 'reasons', 'completion_rate', 'positive_discharge_rate', 'ci'];
const TRAJECTORY: readonly SymptomsTextPart[] = ['trajectory'];
const JT_CLASSES: readonly SymptomsTextPart[] = ['reliable_change', 'baseline', 'followup'];
const JT_SCATTER: readonly SymptomsTextPart[] = ['scatter', 'scatter_bins', 'reliable_change', 'baseline', 'followup'];
const ABSTINENCE_BY_WEEK: readonly RelapseTextPart[] = ['tests_counted', 'positive', 'abstinence_rate', 'ci', 'by_week'];
const RELAPSE_RATE: readonly RelapseTextPart[] = ['relapse', 'ci'];
const KM_RELAPSE: readonly RelapseTextPart[] = ['time_to_relapse'];
const ATTENDANCE_BY_WEEK: readonly AttendanceTextPart[] = ['sessions', 'attendance_rate', 'ci', 'by_week'];
const IET: readonly AttendanceTextPart[] = ['initiation', 'engagement', 'denominator', 'ci'];

/** The risk table under a Kaplan–Meier chart; min_cell is the response's. */
function riskTableText(data: RetentionResponse | RelapseResponse): string {
  return 'The table under the chart: the episodes still at risk (no event yet, not censored) at the start of each day shown.' +
    (data.min_cell > 1 ? ` Under small-cell suppression the curve is coarsened and ends once fewer than ${data.min_cell} remain at risk.` : '');
}

export const kmRetentionDefinition = (r: RetentionResponse): string => `${sentences(r.definition.text, KM_RETENTION)} ${riskTableText(r)}`;
export const dischargeReasonsDefinition = (c: CompletionResponse): string => sentences(c.definition.text, REASONS);
export const trajectoryDefinition = (s: SymptomsResponse): string => sentences(s.definition.text, TRAJECTORY);
export const jtClassesDefinition = (s: SymptomsResponse): string => sentences(s.definition.text, JT_CLASSES);
export const jtScatterDefinition = (s: SymptomsResponse): string =>
  'Each point is a (baseline, follow-up) pair of scores, sized by the number of episodes with that pair; points inside the band changed by less than ' +
  `the reliable change RC, and the lines mark the clinical cutoff on each axis. ${sentences(s.definition.text, JT_SCATTER)}`;
export const abstinenceByWeekDefinition = (r: RelapseResponse): string => sentences(r.definition.text, ABSTINENCE_BY_WEEK);
export const relapseRateDefinition = (r: RelapseResponse): string => sentences(r.definition.text, RELAPSE_RATE);
export const kmRelapseDefinition = (r: RelapseResponse): string => `${sentences(r.definition.text, KM_RELAPSE)} ${riskTableText(r)}`;
export const attendanceByWeekDefinition = (a: AttendanceResponse): string => sentences(a.definition.text, ATTENDANCE_BY_WEEK);
export const ietDefinition = (a: AttendanceResponse): string => sentences(a.definition.text, IET);

/** The overview's columns, each with the sentences of the response it is read from. */
export function overviewDefinition(o: Omit<OverviewInput, 'tracks'>): string {
  const instrument = o.symptoms.filters.instrument ?? 'Symptom';
  return [
    'Episodes: the episodes of the retention cohort.',
    `Completion: ${sentences(o.completion.definition.text, ['completion_rate', 'ci'] satisfies CompletionTextPart[])}`,
    `Retention: the Kaplan–Meier estimate at the day the column names. ${sentences(o.retention.definition.text, ['event', 'estimator'] satisfies RetentionTextPart[])}`,
    `${instrument} reliable improvement: (recovered + improved) / paired episodes. ${sentences(o.symptoms.definition.text, ['reliable_change'] satisfies SymptomsTextPart[])}`,
    `Abstinence: ${sentences(o.relapse.definition.text, ['abstinence_rate', 'ci'] satisfies RelapseTextPart[])}`,
  ].join(' ');
}

/** A string (or a list of them) at `path` in a comparison's `definition` block, or undefined (docs/comparisons.md "Response"). */
function definitionPart(block: Readonly<Record<string, unknown>>, ...path: string[]): string | undefined {
  let v: unknown = block;
  for (const key of path) v = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.join(', ');
  return undefined;
}

function joined(parts: readonly (string | undefined)[]): string {
  return parts.filter((p): p is string => p !== undefined && p !== '').join(' ');
}

const outcomeSentence = (d: Readonly<Record<string, unknown>>) => {
  const event = definitionPart(d, 'outcome', 'event');
  const denominator = definitionPart(d, 'outcome', 'denominator');
  return event && denominator ? `Outcome: ${event}, among ${denominator}.` : undefined;
};

/** The funnel plot, from the comparison's definition block (the same text the API states). */
export const funnelDefinition = (a: AdjustedComparison): string => {
  const d = a.definition;
  const levels = definitionPart(d, 'funnel', 'levels');
  return joined([
    outcomeSentence(d),
    definitionPart(d, 'expected') && `${definitionPart(d, 'expected')}.`,
    definitionPart(d, 'funnel', 'limits') && `Funnel limits: ${definitionPart(d, 'funnel', 'limits')}${levels ? ` (levels ${levels})` : ''}; ${definitionPart(d, 'funnel', 'source') ?? ''}.`,
    `Overdispersion: ${a.overdispersion}${a.funnel.adjusted ? ' (limits widened)' : ''}; ${definitionPart(d, 'funnel', 'no_overdispersion') ?? ''}.`,
    definitionPart(d, 'suppression', 'rule') && `Suppression: ${definitionPart(d, 'suppression', 'rule')}.`,
  ]);
};

/** The case-mix model table, from the comparison's definition block. */
export const compareModelDefinition = (a: AdjustedComparison): string => {
  const d = a.definition;
  const used = a.adjust_for.map((c) => `${c}: ${definitionPart(d, 'covariates', c) ?? c}`).join('; ');
  return joined([
    definitionPart(d, 'model', 'method') && `${definitionPart(d, 'model', 'method')}; convergence ${definitionPart(d, 'model', 'convergence') ?? ''}.`,
    used ? `Covariates: ${used}. Coding: ${definitionPart(d, 'covariates', 'coding') ?? ''}.` : 'No covariates: the intercept alone (crude rates).',
    definitionPart(d, 'model', 'std_error') && `SE: ${definitionPart(d, 'model', 'std_error')}; p: ${definitionPart(d, 'model', 'p') ?? ''}; c-statistic: ${definitionPart(d, 'model', 'c_statistic') ?? ''}.`,
  ]);
};

/** The equity chart, from the comparison's definition block. */
export const equityDefinition = (e: EquityComparison): string => {
  const d = e.definition;
  return joined([
    outcomeSentence(d),
    definitionPart(d, 'rate') && `Rate: ${definitionPart(d, 'rate')}.`,
    definitionPart(d, 'reference') && `Reference: ${definitionPart(d, 'reference')}.`,
    definitionPart(d, 'ratio') && `Ratio: ${definitionPart(d, 'ratio')}.`,
    definitionPart(d, 'suppression', 'rule') && `Suppression: ${definitionPart(d, 'suppression', 'rule')}.`,
  ]);
};
