import type { Kysely } from 'kysely';
import type { DB } from '../warehouse/db-types';
import { FAMILIES } from './families';
import type { MetricFamily } from './family';
import { checkFiltersInWarehouse, type FilterError, type MetricFilters } from './filters';
import { metricSource } from './source';
import { METRIC_NAMES, type MetricName, type MetricResponse } from './types';

export * from './types';
export { parseFilters, checkFiltersInWarehouse, MetricFiltersSchema, type MetricFilters, type MetricFiltersInput, type FilterError, type FilterErrorDetail } from './filters';
export { toCsv, toTable } from './format';
export { FAMILIES } from './families';
export type { MetricFamily } from './family';

export interface ComputeOptions {
  /** The suppression threshold to apply (already checked against the caller's role). */
  minCell: number;
  /**
   * `facts` reads the facts even when the models could answer: both give the same
   * response, and tests compare them. The default picks the models (or their rollups)
   * when they are exact for the request (metrics/source.ts).
   */
  source?: 'auto' | 'facts';
}

export { metricSource, type MetricSource } from './source';

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
 * Computes one metric family for already-parsed filters: the one entry the CLI
 * (bin/commands/metrics.ts) and the API (api/cache/cached-metric.ts) share, each after
 * parsing the filters with `parseFilters` and settling min_cell for its caller
 * (docs/architecture.md "The path of a request"). Unknown tracks and instruments are
 * reported as a MetricFilterError, never as an empty result.
 */
export async function computeMetric<M extends MetricName>(db: Kysely<DB>, name: M, filters: MetricFilters, opts: ComputeOptions): Promise<MetricResponse<M>> {
  const family = FAMILIES[name] as MetricFamily<M>;
  const problem = await checkFiltersInWarehouse(db, filters, family.usesInstrument === true);
  if (problem) throw new MetricFilterError(problem);
  const source = opts.source === 'facts' ? 'facts' : await metricSource(db, name, filters);
  return family.compute(db, filters, opts.minCell, source);
}
