import { z } from 'zod';
import { GROUP_BY, ListFilterEchoShape, PERIODS } from './filters';
import type { MetricName } from './metric-names';

/**
 * The metric responses (docs/metrics.md, "Shared response shape" and each family's group
 * fields, with the dashboard extensions `by_week` and `scatter`) as zod schemas: the one
 * source of the contract. The metrics build these shapes, the API declares them as its
 * route responses (so the OpenAPI document is generated from them), the tests parse every
 * body and every dashboard fixture with them, and the TypeScript types, the dashboard's
 * included (type-only, so no zod reaches the browser), are `z.infer` of them.
 *
 * Objects are strict, so a field the contract does not name fails a test instead of
 * reaching a client. A suppressed numeric field is null and named in the group's
 * `suppressed` list; a group below min_cell is `{key, suppressed: ["all"]}`.
 */

const num = z.number().nullable();
const interval = z.tuple([z.number(), z.number()]).nullable();
const key = z.partialRecord(z.enum(GROUP_BY), z.string());

const suppressedGroup = z.strictObject({ key, suppressed: z.tuple([z.literal('all')]) });
const suppressedList = z.array(z.string()).optional();

const kmRow = z.strictObject({
  day: z.number(), at_risk: z.number(), events: z.number(), censored: z.number(),
  survival: z.number(), std_err: num, lower: num, upper: num,
});
const kmFields = {
  events: num,
  median_days: num,
  median_ci: z.tuple([num, num]).nullable(),
  curve: z.array(kmRow),
};
const survivalPoint = z.strictObject({ survival: num, lower: num, upper: num });
const logRank = z.strictObject({ chi2: z.number(), df: z.number(), p: z.number() });

const retentionGroup = z.strictObject({
  key, n: z.number(), ...kmFields,
  /**
   * docs/metrics.md "Retention time points": days 30 and 60 always; 90 in every group only when
   * some published group's curve reaches day 90; `planned` at the group's planned length in days
   * (its tracks' shared `planned_weeks` × 7), null when the group has no single planned length.
   */
  retention_at: z.strictObject({
    30: survivalPoint, 60: survivalPoint, 90: survivalPoint.optional(),
    planned: survivalPoint.extend({ day: z.number() }).nullable(),
  }),
  suppressed: suppressedList,
});

const completionGroup = z.strictObject({
  key, n: z.number(), discharged: num, completed: num,
  completion_rate: num, completion_ci: interval,
  positive_discharge_rate: num, positive_discharge_ci: interval,
  los_median: num, los_iqr: interval, reasons: z.record(z.string(), num),
  suppressed: suppressedList,
});

const attendanceWeek = z.strictObject({ week: z.number(), attended: num, no_show: num, attendance_rate: num, lower: num, upper: num });
const attendanceGroup = z.strictObject({
  key, n: z.number(), attended: num, no_show: num, attendance_rate: num, attendance_ci: interval,
  sessions_per_week: num, initiated: num, initiation_rate: num, initiation_ci: interval,
  engaged: num, engagement_rate: num, engagement_ci: interval, by_week: z.array(attendanceWeek),
  suppressed: suppressedList,
});

const trajectoryPoint = z.strictObject({ week: z.number(), n: num, mean: num, lower: num, upper: num });
const scatterCell = z.strictObject({ baseline: z.number(), followup: z.number(), n: z.number() });
/** Paired episodes per (baseline band, follow-up band): the binned scatter, published when exact pairs would reveal small cells. */
const scatterBin = z.strictObject({ baseline: z.tuple([z.number(), z.number()]), followup: z.tuple([z.number(), z.number()]), n: num });
const changeClasses = z.strictObject({ recovered: num, improved: num, unchanged: num, deteriorated: num });
const symptomsGroup = z.strictObject({
  key, n: z.number(), with_baseline: num, paired: num, completeness: num,
  baseline_mean: num, followup_mean: num, change_mean: num, change_ci: interval, cohens_d: num, rc_threshold: num,
  classes: changeClasses,
  improvement_rate: num, improvement_ci: interval,
  response_rate: num, response_ci: interval, remission_rate: num, remission_ci: interval,
  trajectory: z.array(trajectoryPoint),
  scatter: z.array(scatterCell),
  scatter_bins: z.array(scatterBin),
  suppressed: suppressedList,
});

const relapseWeek = z.strictObject({ week: z.number(), tests: num, negative: num, abstinence_rate: num, lower: num, upper: num });
const selfReport = z.strictObject({
  intake_n: num, intake_mean: num, latest_n: num, latest_mean: num, change_n: num, change_mean: num,
  change_ci: z.tuple([z.number(), z.number()]).nullable(),
});
const relapseGroup = z.strictObject({
  key, n: z.number(), ...kmFields,
  tests: num, negative: num, abstinence_rate: num, abstinence_ci: interval,
  eot_episodes: num, eot_abstinent: num, eot_abstinence_rate: num, eot_abstinence_ci: interval,
  with_negative: num, relapsed: num, relapse_rate: num, relapse_ci: interval,
  self_report: selfReport,
  by_week: z.array(relapseWeek),
  suppressed: suppressedList,
});

/**
 * `group_by`: the one dimension as a string, as in round 1, or the two of a two-way table
 * as an array. The list filters (docs/metrics.md "Dimensions and filters") are echoed
 * when given; relapse always echoes `substance` (null: every substance).
 */
const groupByEcho = z.union([z.enum(GROUP_BY), z.tuple([z.enum(GROUP_BY), z.enum(GROUP_BY)])]);
const echoedFilters = z.strictObject({
  track: z.array(z.string()).nullable(), from: z.string().nullable(), to: z.string().nullable(),
  group_by: groupByEcho, period: z.enum(PERIODS),
  ...ListFilterEchoShape,
  instrument: z.string().optional(), substance: z.array(z.string()).nullable().optional(), missing_as_positive: z.boolean().optional(),
});

/**
 * `definition.disclosure`: present only in answers to roles below analyst, whose counts
 * were rounded to base 5 and dates snapped to whole months (metrics/disclosure.ts;
 * docs/metrics.md "Disclosure control"). Analysts and admins get no such key.
 */
export const DisclosureSchema = z.strictObject({
  method: z.literal('round-base-5'),
  base: z.literal(5),
  applies_to: z.string(),
  counts: z.string(),
  totals: z.string(),
  derived: z.string(),
  continuous: z.string(),
  log_rank: z.string(),
  month_snapped: z.literal(true),
  dates: z.string(),
  source: z.string(),
}).meta({ id: 'Disclosure' });

/**
 * `definition.text`: the definition in plain sentences, generated from the same block
 * (metrics/<family>/definition.ts), keyed by the part of the block each sentence states;
 * the dashboard shows them under its charts and the report prints them.
 */
const definitionText = z.record(z.string(), z.string())
  .describe('The definition in plain sentences, generated from this block, keyed by the part each sentence states (docs/metrics.md "The `definition` block")');

const definition = z.object({ disclosure: DisclosureSchema.optional(), text: definitionText }).catchall(z.unknown())
  .describe('The parameters of the definition used (docs/metrics.md), fit to cite; `text` states them in plain sentences; `disclosure` states the rounding applied for roles below analyst');

function responseOf<M extends MetricName, G extends z.ZodType>(metric: M, group: G) {
  return z.strictObject({
    metric: z.literal(metric),
    as_of: z.string(),
    min_cell: z.number(),
    filters: echoedFilters,
    definition,
    groups: z.array(z.union([suppressedGroup, group])),
    /** Retention and relapse only: the log-rank test across the groups present. */
    log_rank: logRank.nullable().optional(),
    suppressed: z.boolean(),
  }).meta({ id: `${metric[0]?.toUpperCase()}${metric.slice(1)}Response` });
}

export const METRIC_RESPONSE_SCHEMAS = {
  retention: responseOf('retention', retentionGroup),
  completion: responseOf('completion', completionGroup),
  attendance: responseOf('attendance', attendanceGroup),
  symptoms: responseOf('symptoms', symptomsGroup),
  relapse: responseOf('relapse', relapseGroup),
} satisfies Record<MetricName, z.ZodType>;

export type GroupKey = z.infer<typeof key>;
export type Interval = NonNullable<z.infer<typeof interval>>;
export type EchoedFilters = z.infer<typeof echoedFilters>;
export type SuppressedGroup = z.infer<typeof suppressedGroup>;
export type LogRankOut = z.infer<typeof logRank>;
export type KmRowOut = z.infer<typeof kmRow>;
export type KmFields = z.infer<z.ZodObject<typeof kmFields>>;
export type SurvivalPoint = z.infer<typeof survivalPoint>;
export type RetentionGroup = z.infer<typeof retentionGroup>;
export type CompletionGroup = z.infer<typeof completionGroup>;
export type AttendanceWeek = z.infer<typeof attendanceWeek>;
export type AttendanceGroup = z.infer<typeof attendanceGroup>;
export type TrajectoryPoint = z.infer<typeof trajectoryPoint>;
export type ScatterCell = z.infer<typeof scatterCell>;
export type ScatterBin = z.infer<typeof scatterBin>;
export type ChangeClasses = z.infer<typeof changeClasses>;
export type SymptomsGroup = z.infer<typeof symptomsGroup>;
export type RelapseWeek = z.infer<typeof relapseWeek>;
export type SelfReport = z.infer<typeof selfReport>;
export type RelapseGroup = z.infer<typeof relapseGroup>;

export type { MetricName } from './metric-names';
type Responses = { [M in MetricName]: z.infer<(typeof METRIC_RESPONSE_SCHEMAS)[M]> };
export type GroupOf<M extends MetricName> = Exclude<Responses[M]['groups'][number], SuppressedGroup>;
/** One family's response; `MetricResponse` alone is any family's. */
export type MetricResponse<M extends MetricName = MetricName> = Responses[M];
export type RetentionResponse = Responses['retention'];
export type CompletionResponse = Responses['completion'];
export type AttendanceResponse = Responses['attendance'];
export type SymptomsResponse = Responses['symptoms'];
export type RelapseResponse = Responses['relapse'];
