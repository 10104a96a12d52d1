import { sql, type Kysely } from 'kysely';

/**
 * The units and equity groups of a comparison (docs/comparisons.md) on `episode_outcomes`:
 * the episode's site and primary clinician, and the patient's race and ethnicity, copied
 * at refresh as the model already copies sex and primary substance.
 *
 * Measured at 200k episodes and 300 clinicians (issue 17, speed bar): `compare completion
 * --by clinician` with four covariates read its episodes from the facts, joining the scoped
 * episodes to patients and every PHQ-9 score afresh (1,444 ms of a 1,593 ms request). With
 * these columns it reads one row per episode from the models, as the metric families do.
 *
 * The triggers that mark the models stale already fire on `episodes` and `patients`, where
 * these values live. The models are derived data: this migration empties them and marks
 * them stale, and `migrate` rebuilds them (warehouse/db.ts).
 */
const COLUMNS = ['site_code', 'clinician_id', 'race', 'ethnicity'];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`truncate episode_outcomes, episode_instrument_outcomes`.execute(db);
  await sql`alter table episode_outcomes ${sql.raw(COLUMNS.map((c) => `add column ${c} text`).join(', '))}`.execute(db);
  await sql`update model_state set stale = true, stale_txid = null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`truncate episode_outcomes, episode_instrument_outcomes`.execute(db);
  await sql`alter table episode_outcomes ${sql.raw(COLUMNS.map((c) => `drop column ${c}`).join(', '))}`.execute(db);
  await sql`update model_state set stale = true, stale_txid = null`.execute(db);
}
