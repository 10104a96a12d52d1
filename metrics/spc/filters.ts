import { z } from 'zod';
import { SPC_PERIOD_BASES, SPC_PERIODS, type SpcPeriod, type SpcPeriodBasis } from './periods';
import { MetricFiltersSchema, parseFilters, type FilterError, type FilterErrorDetail, type MetricFilters } from '../filters';

/**
 * The filters of `iop spc <series>` and `GET /api/v1/spc/{series}` (docs/metrics.md "SPC charts"): the
 * metric filters of metrics/filters.ts (track, from, to, as_of, instrument, min_cell, and
 * the list filters site, clinician, sex, age_band, race, ethnicity, substance),
 * parsed by the same schema so both accept and reject the same values, plus the SPC
 * options. A chart is always one series of periods (of admission, or with
 * `period_basis=discharge` of discharge), so `group_by` is not a filter here and `period`
 * is month or quarter (metrics/spc/periods.ts).
 */
export { SPC_PERIODS, type SpcPeriod } from './periods';

/** Change dates of `--split` / `?split=`: at most this many phases' worth. */
export const MAX_SPLITS = 20;

const date = MetricFiltersSchema.shape.as_of.unwrap();
const SpcOptionsSchema = z.strictObject({
  period: z.enum(SPC_PERIODS).default('month'),
  period_basis: z.enum(SPC_PERIOD_BASES).default('admission')
    .describe('admission (default): periods of admission, with the series\' maturity horizon; discharge: periods of discharge on or before as_of, for the series whose outcome is known at discharge (completion, positive-discharge, length-of-stay); from/to then bound the discharge date (docs/metrics.md "SPC charts: Period basis")'),
  laney: MetricFiltersSchema.shape.missing_as_positive.unwrap().default(false),
  split: z.union([date, z.array(date).max(MAX_SPLITS, `at most ${MAX_SPLITS} split dates`)])
    .transform((v) => [...new Set(Array.isArray(v) ? v : [v])].sort())
    .default([]),
});

/** The SPC query schema as the API declares it (OpenAPI); parsing goes through `parseSpcFilters`. */
export const SpcFiltersSchema = MetricFiltersSchema.omit({ group_by: true, period: true, missing_as_positive: true })
  .extend(SpcOptionsSchema.shape);

export interface SpcFilters {
  /** The metric filters the series' metric family is computed with (group_by period). */
  metric: MetricFilters;
  period: SpcPeriod;
  /** What a period groups episodes by (metrics/spc/periods.ts). */
  period_basis: SpcPeriodBasis;
  laney: boolean;
  /** Change dates, sorted and unique. */
  split: string[];
}

export type SpcFilterResult = { ok: true; filters: SpcFilters } | { ok: false; error: FilterError };

const METRIC_KEYS = new Set(Object.keys(SpcFiltersSchema.shape).filter((k) => !(k in SpcOptionsSchema.shape)));

/** Parses raw flags or query parameters; a bad value is a FilterError (exit 64 / 400) naming the parameter and value. */
export function parseSpcFilters(raw: unknown, now: Date = new Date()): SpcFilterResult {
  const input = (raw ?? {}) as Record<string, unknown>;
  const metricRaw: Record<string, unknown> = {};
  const optionRaw: Record<string, unknown> = {};
  const details: FilterErrorDetail[] = [];
  for (const [k, v] of Object.entries(input)) {
    if (k in SpcOptionsSchema.shape) optionRaw[k] = v;
    else if (METRIC_KEYS.has(k)) metricRaw[k] = v;
    else details.push({ param: k, value: v, message: 'unknown filter' });
  }
  const options = SpcOptionsSchema.safeParse(optionRaw);
  if (!options.success) {
    for (const issue of options.error.issues) {
      const param = String(issue.path[0] ?? '');
      details.push({ param, value: optionRaw[param], message: issue.message });
    }
  }
  const parsed = parseFilters({ ...metricRaw, group_by: 'period', period: options.success ? options.data.period : 'month' }, now);
  if (!parsed.ok) details.push(...parsed.error.details);
  if (details.length > 0 || !parsed.ok || !options.success) {
    return { ok: false, error: { error: `Invalid SPC filter: ${details.map((d) => `${d.param}: ${d.message}`).join('; ')}`, details } };
  }
  return { ok: true, filters: { metric: parsed.filters, ...options.data } };
}
