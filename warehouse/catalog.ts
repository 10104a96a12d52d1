import { sql, type Kysely } from 'kysely';
import type { DB } from './db-types';
import { readModelState } from './models/state';

/**
 * The dimensions the dashboard and the report are built from: program tracks and
 * instruments, as the ingest stored them.
 */

/**
 * Tracks by code; `scope` (a user's tracks, docs/operations.md "Users, roles and tokens")
 * limits them, null means every track.
 */
export async function listTracks(db: Kysely<DB>, scope: readonly string[] | null) {
  let q = db.selectFrom('tracks').select(['track_code', 'name', 'level_of_care', 'active', 'planned_weeks']).orderBy('track_code');
  // An empty scope matches no track ('' is never a track code): `in ()` is not valid SQL.
  if (scope !== null) q = q.where('track_code', 'in', scope.length > 0 ? [...scope] : ['']);
  return q.execute();
}

/** A user's scope: the tracks and the sites it may see (null: all). */
export interface CatalogScope {
  tracks: readonly string[] | null;
  sites: readonly string[] | null;
}

// An empty list matches nothing ('' is never a code): `in ()` is not valid SQL.
const orNone = (codes: readonly string[]) => (codes.length > 0 ? [...codes] : ['']);

/**
 * Sites by code. A site-scoped user sees its sites; a track-scoped user the sites its
 * tracks' episodes were treated at, not the whole program's list; null scopes mean all.
 */
export async function listSites(db: Kysely<DB>, scope: CatalogScope) {
  let q = db.selectFrom('sites').select(['site_code', 'name', 'organization', 'state']).orderBy('site_code');
  if (scope.sites !== null) q = q.where('site_code', 'in', orNone(scope.sites));
  if (scope.tracks !== null) {
    const tracks = orNone(scope.tracks);
    q = q.where('site_code', 'in', (eb) => eb.selectFrom('episodes').select('episodes.site_code').distinct()
      .where('episodes.track_code', 'in', tracks).where('episodes.site_code', 'is not', null).$narrowType<{ site_code: string }>());
  }
  return q.execute();
}

/**
 * Clinicians by id. A site-scoped user sees the clinicians of its sites and the primary
 * clinicians of their episodes; a track-scoped user the primary clinicians of its tracks'
 * episodes and the facilitators of their sessions; null scopes mean all.
 */
export async function listClinicians(db: Kysely<DB>, scope: CatalogScope) {
  // The facilitators of a track's sessions come from the episode model (one row per episode,
  // warehouse/models/episode-outcomes.ts) when it is current, else from the sessions.
  const fromModel = scope.tracks !== null && (await readModelState(db))?.stale === false;
  let q = db.selectFrom('clinicians').select(['clinician_id', 'name', 'discipline', 'site_code', 'active']).orderBy('clinician_id');
  if (scope.sites !== null) {
    const sites = orNone(scope.sites);
    q = q.where((eb) => eb.or([
      eb('site_code', 'in', sites),
      eb('clinician_id', 'in', eb.selectFrom('episodes').select('episodes.clinician_id').where('episodes.site_code', 'in', sites)
        .where('episodes.clinician_id', 'is not', null).$narrowType<{ clinician_id: string }>()),
    ]));
  }
  if (scope.tracks !== null) {
    const tracks = orNone(scope.tracks);
    q = q.where((eb) => eb.or([
      eb('clinician_id', 'in', eb.selectFrom('episodes').select('episodes.clinician_id').where('episodes.track_code', 'in', tracks)
        .where('episodes.clinician_id', 'is not', null).$narrowType<{ clinician_id: string }>()),
      fromModel
        ? eb('clinician_id', 'in', eb.selectFrom('episode_outcomes').select(sql<string>`unnest(episode_outcomes.facilitators)`.as('clinician_id'))
          .where('episode_outcomes.track_code', 'in', tracks))
        : eb('clinician_id', 'in', eb.selectFrom('attendance').innerJoin('episodes', 'episodes.episode_id', 'attendance.episode_id')
          .select('attendance.clinician_id').where('episodes.track_code', 'in', tracks)
          .where('attendance.clinician_id', 'is not', null).$narrowType<{ clinician_id: string }>()),
    ]));
  }
  return q.execute();
}

/** Instruments by code, with their score range and change thresholds (docs/metrics.md). */
export async function listInstruments(db: Kysely<DB>) {
  return db.selectFrom('instruments')
    .select(['code', 'name', 'loinc', 'min_score', 'max_score', 'higher_is_better', 'reliable_change_points', 'reliability', 'norm_sd', 'clinical_cutoff', 'remission_below'])
    .orderBy('code')
    .execute();
}
