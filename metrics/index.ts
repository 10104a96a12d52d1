import type { Kysely } from 'kysely';
import type { DB } from '../warehouse/db-types';
import { attendance } from './attendance/statistics';
import { completion } from './completion/statistics';
import { checkFiltersInWarehouse, parseFilters, type FilterError, type MetricFilters } from './filters';
import { relapse } from './relapse/statistics';
import { retention } from './retention/statistics';
import { metricSource, type MetricSource } from './source';
import { symptoms } from './symptoms/statistics';
import { METRIC_NAMES, type MetricName, type MetricResponse } from './types';

export * from './types';
export { parseFilters, checkFiltersInWarehouse, MetricFiltersSchema, type MetricFilters, type MetricFiltersInput, type FilterError, type FilterErrorDetail } from './filters';
export { toCsv, toTable } from './format';

export interface ComputeOptions {
  /** The suppression threshold to apply (already checked against the caller's role). */
  minCell: number;
  /**
   * `facts` reads the facts even when the models could answer: both give the same
   * response, and tests compare them. The default picks the models when they are exact
   * for the request (metrics/source.ts).
   */
  source?: 'auto' | 'facts';
}

export { metricSource, type MetricSource } from './source';

type Family<M extends MetricName> = (db: Kysely<DB>, f: MetricFilters, minCell: number, source: MetricSource) => Promise<MetricResponse<M>>;

const FAMILIES: { [M in MetricName]: Family<M> } = {
  retention, completion, attendance, symptoms, relapse,
};

export function isMetricName(name: string): name is MetricName {
  return (METRIC_NAMES as readonly string[]).includes(name);
}

/** A filter that failed validation, against the schema or the warehouse: 64 on the CLI, 400 on the API. */
export class MetricFilterError extends Error {
  override name = 'MetricFilterError';
  constructor(readonly body: FilterError) {
    super(body.error);
  }
}

/**
 * Computes one metric family for already-parsed filters. Unknown tracks and
 * instruments are reported as a MetricFilterError, never as an empty result.
 */
export async function computeMetric<M extends MetricName>(db: Kysely<DB>, name: M, filters: MetricFilters, opts: ComputeOptions): Promise<MetricResponse<M>> {
  const problem = await checkFiltersInWarehouse(db, filters, name === 'symptoms');
  if (problem) throw new MetricFilterError(problem);
  const run = FAMILIES[name] as Family<M>;
  const source = opts.source === 'facts' ? 'facts' : await metricSource(db, name, filters);
  return run(db, filters, opts.minCell, source);
}

/**
 * Parses raw filters (CLI flags or query parameters) and computes the metric:
 * the one entry point the CLI and the API share. `min_cell` in the filters wins
 * over `defaultMinCell`; the caller enforces who may lower it (DESIGN.md §7).
 */
export async function metricFromRaw<M extends MetricName>(db: Kysely<DB>, name: M, raw: unknown, defaultMinCell: number, now?: Date): Promise<MetricResponse<M>> {
  const parsed = parseFilters(raw, now);
  if (!parsed.ok) throw new MetricFilterError(parsed.error);
  return computeMetric(db, name, parsed.filters, { minCell: parsed.filters.min_cell ?? defaultMinCell });
}
