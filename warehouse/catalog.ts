import type { Kysely } from 'kysely';
import type { DB } from './db-types';

/**
 * The dimensions the dashboard and the report are built from: program tracks and
 * instruments, as the ingest stored them.
 */

/**
 * Tracks by code; `scope` (a user's tracks, docs/operations.md "Users, roles and tokens")
 * limits them, null means every track.
 */
export async function listTracks(db: Kysely<DB>, scope: readonly string[] | null) {
  let q = db.selectFrom('tracks').select(['track_code', 'name', 'level_of_care', 'active']).orderBy('track_code');
  // An empty scope matches no track ('' is never a track code): `in ()` is not valid SQL.
  if (scope !== null) q = q.where('track_code', 'in', scope.length > 0 ? [...scope] : ['']);
  return q.execute();
}

/** Instruments by code, with their score range and change thresholds (docs/metrics.md). */
export async function listInstruments(db: Kysely<DB>) {
  return db.selectFrom('instruments')
    .select(['code', 'name', 'loinc', 'min_score', 'max_score', 'higher_is_better', 'reliable_change_points', 'reliability', 'norm_sd', 'clinical_cutoff', 'remission_below'])
    .orderBy('code')
    .execute();
}
