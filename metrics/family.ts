import type { Kysely } from 'kysely';
import type { DB } from '../warehouse/db-types';
import type { FactsThrough } from '../warehouse/models/state';
import type { MetricFilters } from './filters';
import type { MetricName, MetricResponse } from './types';

/**
 * Where a metric reads its per-episode inputs: the facts; the refreshed models, one row
 * per episode; or the models summed in the rollups (warehouse/models/rollup.ts), which
 * give the same sums. metrics/source.ts decides; a family's compute takes it as given.
 */
export type MetricSource = 'facts' | 'model' | 'rollup';

/**
 * A metric family (docs/architecture.md "Adding a family or a measure"): one folder
 * metrics/<name>/ holding its definition block, its count-table queries (facts.ts and
 * model.ts) and its statistics, registered by one line in metrics/families.ts. The CLI
 * commands, the API routes and their OpenAPI entries, and the source decision read
 * these fields; nothing else names a family.
 */
export interface MetricFamily<M extends MetricName = MetricName> {
  name: M;
  /** One line for the OpenAPI summary of `GET /api/v1/metrics/{name}`. */
  summary: string;
  /** The fact dates its model columns depend on: the models answer only when none is after as_of (metrics/source.ts). */
  dependsOn: readonly (keyof FactsThrough)[];
  /** Whether the models hold the request's options (default: always); otherwise it reads the facts. */
  modelHolds?: (f: MetricFilters) => boolean;
  /** Whether the request's `instrument` must exist in the warehouse. */
  usesInstrument?: boolean;
  /** Computes the response from the source metrics/source.ts chose. */
  compute: (db: Kysely<DB>, f: MetricFilters, minCell: number, source: MetricSource) => Promise<MetricResponse<M>>;
}
