import { sql, type Kysely } from 'kysely';

/**
 * The not-on-track list (docs/progress.md "Alerts") from the models: each episode's latest
 * score of the instrument (`latest_on`, `latest_score`) and its primary clinician on
 * `episode_instrument_outcomes`, beside the baseline the model already holds, and the
 * indexes that find the episodes open on a day: a partial one on the episodes not
 * discharged, holding every column the list reads (an index-only scan), and one on
 * (instrument, discharged_on) for those discharged after the day.
 *
 * Measured at 200k episodes (issue 19, speed bar): the list read the facts, two index
 * probes on `assessments` per open episode (15k open episodes: 584 ms against a bar of
 * 117 ms). With these columns it reads one model row per open episode.
 *
 * The triggers that mark the models stale already fire on `episodes` and `assessments`,
 * where these values live. The models are derived data: this migration empties them and
 * marks them stale, and `migrate` rebuilds them (warehouse/db.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`truncate episode_outcomes, episode_instrument_outcomes`.execute(db);
  await sql`alter table episode_instrument_outcomes add column clinician_id text, add column latest_on date, add column latest_score double precision`.execute(db);
  await sql`create index episode_instrument_outcomes_open on episode_instrument_outcomes (instrument, discharged_on)`.execute(db);
  await sql`
    create index episode_instrument_outcomes_not_discharged on episode_instrument_outcomes (instrument, episode_id)
    include (admitted_on, track_code, clinician_id, baseline_on, baseline_score, latest_on, latest_score)
    where discharged_on is null`.execute(db);
  await sql`update model_state set stale = true, stale_txid = null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`truncate episode_outcomes, episode_instrument_outcomes`.execute(db);
  await sql`drop index episode_instrument_outcomes_not_discharged, episode_instrument_outcomes_open`.execute(db);
  await sql`alter table episode_instrument_outcomes drop column clinician_id, drop column latest_on, drop column latest_score`.execute(db);
  await sql`update model_state set stale = true, stale_txid = null`.execute(db);
}
