import { z } from 'zod';
import { ListFilterEchoShape } from '../filters';
import { SPC_PERIODS } from './filters';
import { SPC_PERIOD_BASES } from './periods';

/**
 * The SPC response (docs/metrics.md "SPC charts: The response"): the route's strict response schema, its
 * OpenAPI entry and, through `z.infer`, the TypeScript type the compute function returns
 * and the dashboard imports (type-only). A field the contract does not name fails.
 */
const num = z.number().nullable();

export const SpcPointSchema = z.strictObject({
  period: z.string(),
  start: z.string(),
  end: z.string(),
  /** p-charts: the count the rate is made of; null on I-charts and when suppressed. */
  numerator: num,
  /** p-charts: the denominator; I-charts: the episodes the mean is over. Null when suppressed. */
  denominator: num,
  /** The rate or the mean; null when suppressed or when the period has no denominator. */
  value: num,
  phase: z.number().int(),
  cl: num,
  ucl: num,
  lcl: num,
  sigma_signal: z.boolean(),
  suppressed: z.boolean(),
});

export const SpcPhaseSchema = z.strictObject({
  phase: z.number().int(),
  /** The change date that opened the phase (null for the first). */
  split: z.string().nullable(),
  first: z.string(),
  last: z.string(),
  cl: num,
  n_obs: z.number().int(),
  n_useful: z.number().int(),
  longest_run: num,
  longest_run_max: num,
  n_crossings: num,
  n_crossings_min: num,
  shift_signal: z.boolean(),
  crossings_signal: z.boolean(),
  runs_signal: z.boolean(),
  sigma_signals: z.number().int(),
});

export const SpcImmatureSchema = z.strictObject({
  period: z.string(),
  start: z.string(),
  end: z.string(),
  /** The first as_of at which the period enters the chart. */
  matures_on: z.string(),
  numerator: num,
  denominator: num,
  value: num,
  suppressed: z.boolean(),
});

export const SPC_SERIES_NAMES = ['completion', 'positive-discharge', 'attendance', 'no-show', 'engagement', 'remission', 'length-of-stay', 'wait-days'] as const;
export type SpcSeriesName = (typeof SPC_SERIES_NAMES)[number];

export const SpcResponseSchema = z.strictObject({
  series: z.enum(SPC_SERIES_NAMES),
  as_of: z.string(),
  min_cell: z.number(),
  filters: z.strictObject({
    track: z.array(z.string()).nullable(),
    from: z.string().nullable(),
    to: z.string().nullable(),
    ...ListFilterEchoShape,
    period: z.enum(SPC_PERIODS),
    /** Echoed when not the default admission basis. */
    period_basis: z.enum(SPC_PERIOD_BASES).optional(),
    instrument: z.string().optional(),
    laney: z.boolean(),
    split: z.array(z.string()),
  }),
  definition: z.record(z.string(), z.unknown()),
  chart: z.enum(['p', 'i']),
  laney: z.boolean(),
  target: z.strictObject({ value: z.number(), source: z.string() }).nullable(),
  points: z.array(SpcPointSchema),
  phases: z.array(SpcPhaseSchema),
  immature: z.array(SpcImmatureSchema),
  notes: z.array(z.string()),
});

export type SpcResponse = z.infer<typeof SpcResponseSchema>;
export type SpcPointOut = z.infer<typeof SpcPointSchema>;
export type SpcPhaseOut = z.infer<typeof SpcPhaseSchema>;
export type SpcImmature = z.infer<typeof SpcImmatureSchema>;
