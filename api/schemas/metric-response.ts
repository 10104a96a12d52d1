import { z } from 'zod';
import { GROUP_BY, PERIODS } from '../../metrics/filters';
import type { MetricName } from '../../metrics/types';

/**
 * The metric responses of METRICS.md as zod schemas: the OpenAPI document is generated
 * from them, and the tests parse every body with them. Objects are strict, so a field
 * the contract does not name fails the test instead of reaching a client.
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
const logRank = z.strictObject({ chi2: z.number(), df: z.number(), p: z.number() }).nullable();

const retentionGroup = z.strictObject({
  key, n: z.number(), ...kmFields,
  retention_at: z.strictObject({ 30: survivalPoint, 60: survivalPoint, 90: survivalPoint }),
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
const symptomsGroup = z.strictObject({
  key, n: z.number(), with_baseline: num, paired: num, completeness: num,
  baseline_mean: num, followup_mean: num, change_mean: num, change_ci: interval, cohens_d: num, rc_threshold: num,
  classes: z.strictObject({ recovered: num, improved: num, unchanged: num, deteriorated: num }),
  response_rate: num, response_ci: interval, remission_rate: num, remission_ci: interval,
  trajectory: z.array(trajectoryPoint),
  scatter: z.array(z.strictObject({ baseline: z.number(), followup: z.number(), n: z.number() })),
  suppressed: suppressedList,
});

const relapseWeek = z.strictObject({ week: z.number(), tests: num, negative: num, abstinence_rate: num, lower: num, upper: num });
const relapseGroup = z.strictObject({
  key, n: z.number(), ...kmFields,
  tests: num, negative: num, abstinence_rate: num, abstinence_ci: interval,
  eot_episodes: num, eot_abstinent: num, eot_abstinence_rate: num, eot_abstinence_ci: interval,
  with_negative: num, relapsed: num, relapse_rate: num, relapse_ci: interval,
  self_report: z.strictObject({
    intake_n: num, intake_mean: num, latest_n: num, latest_mean: num, change_n: num, change_mean: num,
    change_ci: z.tuple([z.number(), z.number()]).nullable(),
  }),
  by_week: z.array(relapseWeek),
  suppressed: suppressedList,
});

const echoedFilters = z.strictObject({
  track: z.array(z.string()).nullable(), from: z.string().nullable(), to: z.string().nullable(),
  group_by: z.enum(GROUP_BY), period: z.enum(PERIODS),
  instrument: z.string().optional(), substance: z.string().nullable().optional(), missing_as_positive: z.boolean().optional(),
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

const definition = z.object({ disclosure: DisclosureSchema.optional() }).catchall(z.unknown())
  .describe('The parameters of the definition used (METRICS.md), fit to cite; `disclosure` states the rounding applied for roles below analyst');

function responseOf<M extends MetricName>(metric: M, group: z.ZodType) {
  return z.strictObject({
    metric: z.literal(metric),
    as_of: z.string(),
    min_cell: z.number(),
    filters: echoedFilters,
    definition,
    groups: z.array(z.union([suppressedGroup, group])),
    log_rank: logRank.optional(),
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

