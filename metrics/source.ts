import type { Kysely } from 'kysely';
import type { DB } from '../warehouse/db-types';
import { readModelStateAndSettled, type FactsThrough, type ModelStateAndSettled } from '../warehouse/models/state';
import { FAMILIES } from './families';
import type { MetricSource } from './family';
import { givenListFilters, type MetricFilters } from './filters';
import { modelColumns } from './sql/model-scope';
import { ROLLUP_GROUPS } from './sql/rollup';
import { carries } from './sql/scope';
import type { MetricName } from './types';

export type { MetricSource } from './family';

/**
 * The one place that decides the source of a request, in one statement
 * (docs/metrics.md "Models and as_of"). The models answer exactly when:
 * - they are current: no episode, patient or fact changed since the refresh that
 *   covered it (`model_state.stale`, kept by triggers);
 * - no fact they summarise is dated after as_of (the family's `dependsOn`), so cutting
 *   the facts at as_of changes nothing (the model's open episodes run to their last
 *   fact, and the as_of-dependent parts, the open episode's end and lost to follow-up,
 *   are computed at query time);
 * - the options are the model's (the family's `modelHolds`: relapse with no substance
 *   filter and refused/missed counted as positive).
 * Otherwise the metric reads the facts, which honour any as_of and option.
 *
 * The models may be read through the rollups when, besides, the request is stratified by
 * track or admission period (the rollups' keys) and as_of falls on or after the latest
 * discharge in the model, so every discharged episode the rollups hold is closed as of
 * as_of, with the figures they store, and every open one open. (A later discharge, or an
 * as_of in the past, reads every episode from the model.) A clinician user's caseload
 * is never read through the rollups, which hold no clinician.
 */
export async function metricSource(db: Kysely<DB>, name: MetricName, f: MetricFilters): Promise<MetricSource> {
  const family = FAMILIES[name];
  if (family.modelHolds && !family.modelHolds(f)) return 'facts';
  const lists = givenListFilters(f);
  const model = modelColumns('o');
  if (![...f.group_by, ...lists].every((d) => carries(model, d))) return 'facts';
  // The rollups hold no clinician, so a clinician user's caseload is read per episode.
  const byRollupKey = lists.length === 0 && !f.caseload && f.group_by.every((d) => ROLLUP_GROUPS.has(d));
  const state = await readModelStateAndSettled(db, byRollupKey);
  if (!modelsCurrent(state, family.dependsOn, f.as_of)) return 'facts';
  return byRollupKey && (state.settled === null || state.settled <= f.as_of) ? 'rollup' : 'model';
}

/**
 * Whether the per-episode models answer a request as of `asOf` that reads the facts
 * `dependsOn` summarises: the first two conditions above. Comparisons (metrics/compare)
 * decide with it too; they read the models, never the rollups.
 */
export async function modelsAnswer(db: Kysely<DB>, dependsOn: readonly (keyof FactsThrough)[], asOf: string): Promise<boolean> {
  return modelsCurrent(await readModelStateAndSettled(db, false), dependsOn, asOf);
}

/**
 * `modelsAnswer`, and the latest discharge in the models (null when none is discharged),
 * read in the same statement: the not-on-track list (metrics/progress/alerts.ts) skips
 * the episodes discharged after as_of when there can be none.
 */
export async function modelsAnswerSettled(db: Kysely<DB>, dependsOn: readonly (keyof FactsThrough)[], asOf: string): Promise<{ answer: boolean; settled: string | null }> {
  const state = await readModelStateAndSettled(db, true);
  return { answer: modelsCurrent(state, dependsOn, asOf), settled: state?.settled ?? null };
}

function modelsCurrent(
  state: ModelStateAndSettled | undefined, dependsOn: readonly (keyof FactsThrough)[], asOf: string,
): state is ModelStateAndSettled {
  if (!state || state.stale) return false;
  return dependsOn.every((col) => {
    const through = state[col];
    return through === null || through <= asOf;
  });
}
