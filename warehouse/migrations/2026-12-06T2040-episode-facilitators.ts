import { sql, type Kysely } from 'kysely';

/**
 * `episode_outcomes.facilitators`: the distinct clinicians named on an episode's sessions
 * (`attendance.clinician_id`), gathered in the model's one grouped pass over the sessions.
 *
 * Why: a track-scoped user's clinician list (warehouse/catalog.ts, `GET /api/v1/clinicians`)
 * includes the facilitators of its tracks' sessions, which took a scan and hash join of all
 * 10M attendance rows at 200k episodes (3.9 s on an idle machine, 6.7 s loaded); from the
 * model it is one scan of the episodes of the tracks.
 *
 * The models are derived data: the column starts empty, the models are marked stale, and
 * `migrate` rebuilds them (warehouse/db.ts); the catalog reads the facts while they are stale.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table episode_outcomes add column facilitators text[]`.execute(db);
  await sql`update model_state set stale = true, stale_txid = null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table episode_outcomes drop column facilitators`.execute(db);
  await sql`update model_state set stale = true, stale_txid = null`.execute(db);
}
