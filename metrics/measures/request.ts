import { z } from 'zod';
import { MetricFiltersSchema, parseFilters, type FilterError, type FilterErrorDetail } from '../filters';
import { MEASURES } from './registry';
import { isMeasureName, MEASURE_NAMES, type MeasureContext, type MeasureSpec } from './spec';

/**
 * A measure request, for the CLI and the API alike (docs/measures.md "Asking for a
 * measure"): the metric filters (the index-date range for from/to), plus `rows`,
 * `format` and the measure options. One schema, so `iop measures dep-rem-6
 * --any-diagnosis` and `GET /api/v1/measures/dep-rem-6?any_diagnosis=true` accept and
 * reject the same things.
 */

export const MEASURE_FORMATS = ['json', 'csv', 'fhir'] as const;
export type MeasureFormat = (typeof MEASURE_FORMATS)[number];

const booleanish = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/**
 * The metric filters that do not apply to a measure (the instrument is the measure's own).
 * `substance` does apply: it is the episode's primary substance, a list filter of
 * docs/metrics.md "Dimensions and filters", as are site, clinician, sex, age_band (the age
 * at the index date), race and ethnicity.
 */
const NOT_FOR_MEASURES = ['instrument', 'missing_as_positive'] as const;

const MEASURE_OPTIONS = {
  rows: booleanish.optional(),
  format: z.enum(MEASURE_FORMATS).optional(),
  any_diagnosis: booleanish.optional(),
};

/** The query string of `GET /api/v1/measures/{name}` (also its OpenAPI parameters). */
export const MeasureQuerySchema = MetricFiltersSchema.omit({ instrument: true, missing_as_positive: true }).extend(MEASURE_OPTIONS);

export interface MeasureRequest {
  spec: MeasureSpec;
  ctx: MeasureContext;
  rows: boolean;
  format: MeasureFormat;
}

export type MeasureRequestResult = { ok: true; request: MeasureRequest } | { ok: false; error: FilterError };

function fail(details: FilterErrorDetail[], prefix = 'Invalid measure request'): MeasureRequestResult {
  return { ok: false, error: { error: `${prefix}: ${details.map((d) => `${d.param}: ${d.message}`).join('; ')}`, details } };
}

/** Parses a measure name and raw options (flags or query parameters); `now` fixes the default as_of in tests. */
export function parseMeasureRequest(name: string, raw: Record<string, unknown>, holidays: readonly string[] = [], now?: Date): MeasureRequestResult {
  if (!isMeasureName(name)) {
    return fail([{ param: 'name', value: name, message: `unknown measure ${name}; measures: ${MEASURE_NAMES.join(', ')}` }]);
  }
  const spec = MEASURES[name];
  if (!spec) {
    const available = MEASURE_NAMES.filter((n) => MEASURES[n] !== undefined);
    return fail([{ param: 'name', value: name, message: `measure ${name} is not available; available measures: ${available.join(', ') || '(none)'}` }]);
  }
  const refused = NOT_FOR_MEASURES.filter((k) => raw[k] !== undefined);
  if (refused.length > 0) {
    return fail(refused.map((k) => ({ param: k, value: raw[k], message: 'not an option of the measures (the instrument and codes are part of each measure\'s definition)' })));
  }
  const { rows, format, any_diagnosis, ...rest } = raw;
  const options = z.strictObject(MEASURE_OPTIONS).safeParse({ rows, format, any_diagnosis });
  if (!options.success) {
    return fail(options.error.issues.map((i) => ({ param: String(i.path[0] ?? ''), value: raw[String(i.path[0] ?? '')], message: i.message })));
  }
  const parsed = parseFilters(rest, now);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  return {
    ok: true,
    request: {
      spec,
      ctx: { filters: parsed.filters, options: { any_diagnosis: options.data.any_diagnosis ?? false, holidays } },
      rows: options.data.rows ?? false,
      format: options.data.format ?? 'json',
    },
  };
}
