import { z } from 'zod';
import { MEASURE_NAMES } from './spec';

/**
 * The measure response (docs/measures.md "The response") as zod schemas: the one source
 * of the contract. `runMeasure` builds this shape, the API declares it as the route's
 * response (so the OpenAPI document is generated from it), the tests parse every body
 * with it, and the TypeScript types (the dashboard's included, type-only) are `z.infer`
 * of it. A suppressed count or rate is null and named in its group's `suppressed` list;
 * a group below min_cell is `{key, suppressed: ["all"]}`.
 */

const num = z.number().nullable();
const interval = z.tuple([z.number(), z.number()]).nullable();
const key = z.record(z.string(), z.string());
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const namedRate = z.strictObject({ numerator: num, rate: num, rate_ci: interval });

export const MeasureGroupSchema = z.strictObject({
  key,
  initial_population: z.number(),
  denominator: num,
  exclusions: num,
  window_open: num,
  numerator: num,
  rate: num,
  rate_ci: interval,
  /** Extra named rates over the same denominator (iet: initiation and engagement). */
  rates: z.record(z.string(), namedRate).optional(),
  labels: z.record(z.string(), num),
  /** Per-measure statistics beyond the label counts (niatx, i-serv, mbc, noms). */
  statistics: z.record(z.string(), z.unknown()).optional(),
  suppressed: z.array(z.string()),
}).meta({ id: 'MeasureGroup' });

const suppressedGroup = z.strictObject({ key, suppressed: z.tuple([z.literal('all')]) });

export const MeasureRowSchema = z.strictObject({
  episode_id: z.string(),
  patient_id: z.string(),
  track: z.string(),
  index_date: date.nullable(),
  window: z.tuple([date.nullable(), date.nullable()]),
  label: z.string(),
  score_date: date.nullable(),
  score: num,
});

export const MeasureResponseSchema = z.strictObject({
  measure: z.enum(MEASURE_NAMES),
  as_of: date,
  min_cell: z.number(),
  /** The filters applied (after scoping), as the metrics echo them. */
  filters: z.record(z.string(), z.unknown()),
  /** Windows, code lists and options used, with `source`, `text` (sentences) and `suppression`. */
  definition: z.looseObject({ source: z.string(), text: z.record(z.string(), z.string()) }),
  groups: z.array(z.union([MeasureGroupSchema, suppressedGroup])),
  /** Strata every response of the measure carries whatever group_by (depression: ages 12–17 and 18+). */
  strata: z.array(z.union([MeasureGroupSchema, suppressedGroup])),
  notes: z.array(z.string()),
  suppressed: z.boolean(),
  /** `rows=true` (admin and analyst only, audited): one row per initial-population episode. */
  rows: z.array(MeasureRowSchema).optional(),
}).meta({ id: 'MeasureResponse' });

export type MeasureGroup = z.infer<typeof MeasureGroupSchema>;
export type MeasureSuppressedGroup = z.infer<typeof suppressedGroup>;
export type MeasureRow = z.infer<typeof MeasureRowSchema>;
export type MeasureResponse = z.infer<typeof MeasureResponseSchema>;
export type NamedRate = z.infer<typeof namedRate>;

export function isMeasureGroup(g: MeasureGroup | MeasureSuppressedGroup): g is MeasureGroup {
  return 'initial_population' in g;
}
