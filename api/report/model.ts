import type { MeasureName, MeasureResponse } from '../../metrics/measures/index';
import type { MetricName, MetricResponse } from '../../metrics/types';

/**
 * The program-effectiveness report as tables, one per metric, one row per track.
 * The HTML and CSV renderers both read this model, so the two formats carry the same
 * numbers. A cell is `suppressed` when docs/metrics.md small-cell suppression hid it, and
 * its value is null with no flag when it could not be computed (no data).
 */
export type Kind = 'count' | 'rate' | 'number' | 'days';

export interface Cell {
  value: number | null;
  lower: number | null;
  upper: number | null;
  suppressed: boolean;
}

export interface Column {
  measure: string;
  label: string;
  kind: Kind;
}

export interface Row {
  track: string;
  name: string;
  /** The whole group was below min_cell. */
  suppressed: boolean;
  cells: Cell[];
}

export interface Table {
  /** The metric family, or the standard measure (the report's "Standard measures" section). */
  metric: MetricName | MeasureName;
  title: string;
  /** symptoms: the instrument; otherwise null. */
  instrument: string | null;
  columns: Column[];
  rows: Row[];
  note: string | null;
  /** The response's definition block; the report prints its `text`. */
  definition: { text: Record<string, string> };
}

type Group = Record<string, unknown>;

interface Measure extends Column {
  /** Where the value lies in a group, and its CI (a [lo, hi] field or lower/upper of an object). */
  value: (g: Group) => unknown;
  ci?: (g: Group) => unknown;
  /** The value's path in the group, as the group's `suppressed` list names hidden fields. */
  path: string;
  /** Shown only when some group has it (a time point no curve reaches is not offered). */
  optional?: boolean;
}

const at = (path: string) => (g: Group): unknown => path.split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), g);
const m = (measure: string, label: string, kind: Kind, ci?: string): Measure =>
  ({ measure, label, kind, value: at(measure), ci: ci ? at(ci) : undefined, path: measure });

const retentionAt = (day: '30' | '60' | '90' | 'planned'): Measure => ({
  measure: `retention_at_${day}`, label: day === 'planned' ? 'Retained at the planned length' : `Retained at day ${day}`, kind: 'rate',
  path: `retention_at.${day}.survival`,
  value: at(`retention_at.${day}.survival`),
  ci: (g) => [at(`retention_at.${day}.lower`)(g), at(`retention_at.${day}.upper`)(g)],
  // Day 90 is in the response only when a curve reaches it; the planned length only where a track has one.
  optional: day === '90' || day === 'planned',
});

export const MEASURES: Record<MetricName, Measure[]> = {
  retention: [m('n', 'Episodes', 'count'), m('events', 'Dropouts', 'count'), m('median_days', 'Median days retained', 'days', 'median_ci'),
    retentionAt('30'), retentionAt('60'), retentionAt('planned'), retentionAt('90')],
  completion: [m('discharged', 'Discharged', 'count'), m('completion_rate', 'Completion rate', 'rate', 'completion_ci'),
    m('positive_discharge_rate', 'Positive discharge rate', 'rate', 'positive_discharge_ci'), m('los_median', 'Median length of stay (days)', 'days', 'los_iqr')],
  attendance: [m('n', 'Episodes', 'count'), m('attendance_rate', 'Attendance rate', 'rate', 'attendance_ci'),
    m('sessions_per_week', 'Sessions attended per week', 'number'), m('initiation_rate', 'Initiation (IET)', 'rate', 'initiation_ci'),
    m('engagement_rate', 'Engagement (IET)', 'rate', 'engagement_ci')],
  symptoms: [m('with_baseline', 'With baseline', 'count'), m('paired', 'Paired', 'count'), m('completeness', 'Follow-up completeness', 'rate'),
    m('baseline_mean', 'Mean baseline', 'number'), m('followup_mean', 'Mean follow-up', 'number'), m('change_mean', 'Mean change', 'number', 'change_ci'),
    m('cohens_d', "Cohen's d", 'number'), m('classes.recovered', 'Recovered', 'count'), m('classes.improved', 'Improved', 'count'),
    m('classes.unchanged', 'Unchanged', 'count'), m('classes.deteriorated', 'Deteriorated', 'count'),
    m('response_rate', 'Response', 'rate', 'response_ci'), m('remission_rate', 'Remission', 'rate', 'remission_ci')],
  relapse: [m('n', 'Episodes', 'count'), m('tests', 'Tests counted', 'count'), m('abstinence_rate', 'Negative tests', 'rate', 'abstinence_ci'),
    m('eot_abstinence_rate', 'End-of-treatment abstinence', 'rate', 'eot_abstinence_ci'), m('relapse_rate', 'Relapse rate', 'rate', 'relapse_ci'),
    m('median_days', 'Median days to relapse', 'days', 'median_ci')],
};

const TITLES: Record<MetricName, string> = {
  retention: 'Retention in treatment',
  completion: 'Treatment completion',
  attendance: 'Attendance and engagement',
  symptoms: 'Symptom change',
  relapse: 'Abstinence and relapse',
};

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function cellOf(g: Group, measure: Measure): Cell {
  const hidden = Array.isArray(g.suppressed) ? (g.suppressed as unknown[]).map(String) : [];
  const ci = measure.ci?.(g);
  const [lower, upper] = Array.isArray(ci) ? ci : [null, null];
  const value = num(measure.value(g));
  const head = measure.path.split('.').slice(0, 2).join('.');
  const named = (h: string) => h === head || measure.path.startsWith(`${h}.`) || h.startsWith(`${head}.`);
  return { value, lower: num(lower), upper: num(upper), suppressed: value === null && hidden.some(named) };
}

function noteOf(response: MetricResponse): string | null {
  const lr = response.log_rank;
  if (!lr) return null;
  return `Log-rank test across tracks: χ² = ${lr.chi2.toFixed(2)}, df = ${lr.df}, ${lr.p < 0.001 ? 'p < 0.001' : `p = ${lr.p.toFixed(3)}`}.`;
}

export function tableOf(response: MetricResponse, trackNames: ReadonlyMap<string, string>): Table {
  const groups = response.groups as unknown as Group[];
  // An optional time point is offered when some group carries it, suppressed or not, so a hidden value still shows its marker.
  const carried = (ms: Measure) => groups.some((g) => at(ms.path.split('.').slice(0, 2).join('.'))(g) != null);
  const measures = MEASURES[response.metric].filter((ms) => !ms.optional || carried(ms));
  const rows = response.groups.map((group): Row => {
    const g = group as unknown as Group;
    const track = String((g.key as Record<string, unknown> | undefined)?.track ?? '');
    const whole = !('n' in g);
    const cells = measures.map((ms) => (whole ? { value: null, lower: null, upper: null, suppressed: true } : cellOf(g, ms)));
    return { track, name: trackNames.get(track) ?? track, suppressed: whole, cells };
  });
  const instrument = response.metric === 'symptoms' ? (response.filters.instrument ?? null) : null;
  return {
    metric: response.metric,
    title: instrument ? `${TITLES.symptoms}: ${instrument}` : TITLES[response.metric],
    instrument,
    columns: measures.map(({ measure, label, kind }) => ({ measure, label, kind })),
    rows,
    note: noteOf(response),
    definition: response.definition,
  };
}

/** The columns of a standard measure's table (docs/measures.md "The response"). */
const MEASURE_COLUMNS: Measure[] = [
  m('initial_population', 'Initial population', 'count'), m('exclusions', 'Excluded', 'count'), m('window_open', 'Window open', 'count'),
  m('denominator', 'Denominator', 'count'), m('numerator', 'Numerator', 'count'), m('rate', 'Rate', 'rate', 'rate_ci'),
];

/**
 * A standard measure as a report table: one row per track, its counts and rate with the
 * Wilson CI, titled with its name and the published measure it adapts; the definition
 * sentences are the response's own (`definition.text`).
 */
export function measureTableOf(response: MeasureResponse, trackNames: ReadonlyMap<string, string>): Table {
  const rows = response.groups.map((group): Row => {
    const g = group as unknown as Group;
    const track = String((g.key as Record<string, unknown> | undefined)?.track ?? '');
    const whole = !('initial_population' in g);
    const cells = MEASURE_COLUMNS.map((ms) => (whole ? { value: null, lower: null, upper: null, suppressed: true } : cellOf(g, ms)));
    return { track, name: trackNames.get(track) ?? track, suppressed: whole, cells };
  });
  return {
    metric: response.measure,
    title: `${response.measure}: ${response.definition.source}`,
    instrument: null,
    columns: MEASURE_COLUMNS.map(({ measure, label, kind }) => ({ measure, label, kind })),
    rows,
    note: `Source: ${response.definition.source} (program adaptation; docs/measures.md). Episodes are selected by their index date; `
      + 'excluded episodes and those whose outcome window is still open are outside the denominator.'
      + (response.notes.length ? ` ${response.notes.join('; ')}.` : ''),
    definition: response.definition,
  };
}
