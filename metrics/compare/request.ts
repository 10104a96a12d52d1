import { z } from 'zod';
import { OVERDISPERSION, type Overdispersion } from '../stats/funnel';
import { ListFilterShape, MetricFiltersSchema, parseFilters, type FilterError, type MetricFilters } from '../filters';
import { MEASURES } from '../measures/registry';
import { MEASURE_NAMES, type MeasureName } from '../measures/spec';

/**
 * The request of `iop compare <outcome>` and `GET /api/v1/compare/{outcome}`
 * (docs/comparisons.md): one zod schema for the flags and the query string, as the
 * metric filters have (metrics/filters.ts), so both accept and refuse the same things.
 */

/** The binary per-episode outcomes of the metric families (docs/comparisons.md "Outcomes"). */
export const EPISODE_OUTCOMES = ['completion', 'positive_discharge', 'engagement', 'remission', 'abstinence'] as const;
export type EpisodeOutcome = (typeof EPISODE_OUTCOMES)[number];

/**
 * The registered standard measures with a numerator (metrics/measures/registry.ts): the
 * episode's outcome is whether its label is a numerator label, over the measure's
 * denominator (docs/comparisons.md "Standard measures"). A measure registered later joins
 * the list by itself.
 */
export const MEASURE_OUTCOMES: readonly MeasureName[] = MEASURE_NAMES.filter((name) => {
  const spec = MEASURES[name];
  return spec !== undefined && spec.comparable !== false && spec.numerator.length > 0;
});

/** Every outcome a comparison can model: the episode outcomes, then the measures. */
export const COMPARE_OUTCOMES = [...EPISODE_OUTCOMES, ...MEASURE_OUTCOMES] as readonly [EpisodeOutcome, ...CompareOutcome[]];
export type CompareOutcome = EpisodeOutcome | MeasureName;

export function isMeasureOutcome(outcome: CompareOutcome): outcome is MeasureName {
  return !(EPISODE_OUTCOMES as readonly string[]).includes(outcome);
}

/**
 * The units a case-mix adjusted comparison ranks: the episode's primary clinician
 * (`episodes.clinician_id`), its site (`episodes.site_code`) or its track
 * (metrics/compare/episodes.ts `unitColumn` names the column of each).
 */
export const COMPARE_UNITS = ['clinician', 'site', 'track'] as const;
/** The groups of the equity view: unadjusted rates and ratios to the largest group. */
export const EQUITY_GROUPS = ['race', 'ethnicity'] as const;
export const COMPARE_BY = [...COMPARE_UNITS, ...EQUITY_GROUPS] as const;
export type CompareUnit = (typeof COMPARE_UNITS)[number];
export type EquityGroup = (typeof EQUITY_GROUPS)[number];
export type CompareBy = (typeof COMPARE_BY)[number];

/** The case-mix covariates, in the order they enter the model. */
export const ADJUSTERS = ['baseline', 'age', 'sex', 'substance'] as const;
export type Adjuster = (typeof ADJUSTERS)[number];

const adjusterList = z.union([z.string(), z.array(z.string())])
  .transform((v, ctx) => {
    // An empty array is this transform's own output for `none`, parsed again by the route.
    if (Array.isArray(v) && v.length === 0) return [];
    const items = (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
    if (items.length === 0) {
      ctx.addIssue({ code: 'custom', message: `list covariates (${ADJUSTERS.join(', ')}) or none` });
      return z.NEVER;
    }
    if (items.length === 1 && items[0] === 'none') return [];
    const unknown = items.filter((s) => !(ADJUSTERS as readonly string[]).includes(s));
    if (unknown.length > 0) {
      ctx.addIssue({ code: 'custom', message: `unknown covariate ${unknown.join(', ')}; use a comma list of ${ADJUSTERS.join(', ')}, or none` });
      return z.NEVER;
    }
    return ADJUSTERS.filter((a) => items.includes(a));
  });

export const CompareQuerySchema = MetricFiltersSchema.pick({ track: true, from: true, to: true, as_of: true, instrument: true, min_cell: true }).extend({
  ...ListFilterShape,
  by: z.enum(COMPARE_BY).default('track'),
  adjust_for: adjusterList.optional().describe(`comma list of ${ADJUSTERS.join(', ')} (default: all four), or none`),
  overdispersion: z.enum(OVERDISPERSION).default('none'),
});

export interface CompareRequest {
  outcome: CompareOutcome;
  by: CompareBy;
  adjustFor: Adjuster[];
  overdispersion: Overdispersion;
  /** The shared filters (tracks, admission range, as_of, instrument, min_cell, the list filters). */
  filters: MetricFilters;
}

export type CompareParse = { ok: true; request: CompareRequest } | { ok: false; error: FilterError };

function fail(param: string, value: unknown, message: string): CompareParse {
  return { ok: false, error: { error: `Invalid comparison: ${param}: ${message}`, details: [{ param, value, message }] } };
}

export function isEquity(by: CompareBy): by is EquityGroup {
  return (EQUITY_GROUPS as readonly string[]).includes(by);
}

/** Parses the outcome and the raw flags or query parameters; `now` fixes the default as_of in tests. */
export function parseCompare(outcome: unknown, raw: unknown, now: Date = new Date()): CompareParse {
  if (typeof outcome !== 'string' || !(COMPARE_OUTCOMES as readonly string[]).includes(outcome)) {
    return fail('outcome', outcome, `unknown outcome; known outcomes: ${COMPARE_OUTCOMES.join(', ')}`);
  }
  const parsed = CompareQuerySchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const keys = issue?.code === 'unrecognized_keys' ? issue.keys : [];
    const param = keys.length > 0 ? keys.join(',') : String(issue?.path[0] ?? '');
    const value = keys.length > 0 ? undefined : (raw as Record<string, unknown> | null)?.[param];
    return fail(param, value, keys.length > 0 ? 'unknown parameter' : issue?.message ?? 'invalid');
  }
  const { by, adjust_for: adjustFor, overdispersion, ...shared } = parsed.data;
  const filters = parseFilters(shared, now);
  if (!filters.ok) return { ok: false, error: filters.error };
  return {
    ok: true,
    request: { outcome: outcome as CompareOutcome, by, adjustFor: adjustFor ?? [...ADJUSTERS], overdispersion, filters: filters.filters },
  };
}
