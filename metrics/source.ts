import type { Kysely } from 'kysely';
import type { DB } from '../warehouse/db-types';
import { readModelState, type FactsThrough } from '../warehouse/models/state';
import type { MetricFilters } from './filters';
import type { MetricName } from './types';

/** Where a metric reads its per-episode inputs: the refreshed models, or the facts. */
export type MetricSource = 'model' | 'facts';

/** The fact dates each family's model columns depend on (completion depends on none). */
const DEPENDS_ON: Record<MetricName, readonly (keyof FactsThrough)[]> = {
  retention: ['attendance_through'],
  completion: [],
  attendance: ['attendance_through'],
  symptoms: ['scores_through'],
  relapse: ['tests_through'],
};

/**
 * The models answer a request exactly when (docs/metrics.md "Models and as_of"):
 * - they are current: no episode, patient or fact changed since the refresh that
 *   covered it (`model_state.stale`, kept by triggers);
 * - no fact they summarise is dated after as_of, so cutting the facts at as_of changes
 *   nothing (the model's open episodes run to their last fact, and the as_of-dependent
 *   parts, the open episode's end and lost to follow-up, are computed at query time);
 * - the options are the model's: relapse with no substance filter and refused/missed
 *   counted as positive.
 * Otherwise the metric reads the facts, which honour any as_of and option.
 */
export async function metricSource(db: Kysely<DB>, name: MetricName, f: MetricFilters): Promise<MetricSource> {
  if (name === 'relapse' && (f.substance !== null || !f.missing_as_positive)) return 'facts';
  const state = await readModelState(db);
  if (!state || state.stale) return 'facts';
  const current = DEPENDS_ON[name].every((col) => {
    const through = state[col];
    return through === null || through <= f.as_of;
  });
  return current ? 'model' : 'facts';
}
