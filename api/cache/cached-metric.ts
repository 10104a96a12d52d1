import type { Kysely } from 'kysely';
import { computeMetric } from '../../metrics/index';
import type { MetricFilters } from '../../metrics/filters';
import type { MetricName } from '../../metrics/types';
import type { DB } from '../../warehouse/db-types';
import { cacheKey, type MetricCache } from './metric-cache';

/**
 * A metric response serialized as `JSON.stringify` (the CLI's `--format json` bytes),
 * through the cache. The metric routes and the report share it, so a report and the
 * dashboard built from the same data version show the same numbers.
 */
export function metricBody(cache: MetricCache, db: Kysely<DB>, name: MetricName, filters: MetricFilters, minCell: number): Promise<string> {
  const key = cacheKey({ metric: name, filters, minCell, format: 'json' });
  return cache.get(key, async () => JSON.stringify(await computeMetric(db, name, filters, { minCell })));
}
