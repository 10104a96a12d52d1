import type { Kysely } from 'kysely';
import { protectResponse } from '../../metrics/disclosure';
import { computeMetric } from '../../metrics/index';
import type { MetricFilters } from '../../metrics/filters';
import type { MetricName } from '../../metrics/types';
import type { DB } from '../../warehouse/db-types';
import { cacheKey, type MetricCache } from './metric-cache';

/**
 * The cache key of a metric body. A disclosure-controlled body (docs/security.md
 * "Disclosure control") is a different answer to the same filters, so it has its own
 * key: an analyst's exact body is never served to a viewer, nor the reverse.
 */
export function metricCacheKey(name: MetricName, filters: MetricFilters, minCell: number, format: 'json' | 'csv', disclosure = false): string {
  return cacheKey({ metric: name, filters, minCell, format, ...(disclosure ? { disclosure: 'round-base-5' } : {}) });
}

/**
 * A metric response serialized as `JSON.stringify` (the CLI's `--format json` bytes),
 * through the cache. The metric routes and the report share it, so a report and the
 * dashboard built from the same data version show the same numbers. With `disclosure`
 * (roles below analyst) the response goes through metrics/disclosure.ts first.
 */
export function metricBody(cache: MetricCache, db: Kysely<DB>, name: MetricName, filters: MetricFilters, minCell: number, disclosure = false): Promise<string> {
  return cache.get(metricCacheKey(name, filters, minCell, 'json', disclosure), async () => {
    const response = await computeMetric(db, name, filters, { minCell });
    return JSON.stringify(disclosure ? protectResponse(response) : response);
  });
}
