import { sql, type Kysely } from 'kysely';

/**
 * Follow-up interviews (docs/formats.md "Entities", docs/funder-reporting.md "Loading
 * interviews"): one row per patient, interview type and date (the natural key), with its
 * status and the NOMs answers. `episode_id` is the episode the row links to (the file's
 * own, kept as `source_episode_id`, else the patient's latest episode admitted on or
 * before the interview), stored as the other linked facts store theirs, so the link is
 * recomputed when episodes change (ingest/link.ts).
 *
 * The table is small (a few interviews per episode), so unlike the large facts it carries
 * foreign keys to patients, episodes and its batch.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table followups (
      patient_id text not null references patients (patient_id),
      interview_type text not null check (interview_type in ('intake', 'followup_6m', 'discharge', 'other')),
      interviewed_on date not null,
      status text not null check (status in ('completed', 'refused', 'not_located', 'deceased')),
      episode_id text references episodes (episode_id),
      source_episode_id text references episodes (episode_id),
      days_used_past_30 integer check (days_used_past_30 between 0 and 30),
      employed_or_in_school boolean,
      stable_housing boolean,
      arrested_past_30 boolean,
      socially_connected boolean,
      batch_id uuid references ingest_batches (batch_id),
      primary key (patient_id, interview_type, interviewed_on),
      constraint followups_answers_when_completed check (status = 'completed' or (
        days_used_past_30 is null and employed_or_in_school is null and stable_housing is null
        and arrested_past_30 is null and socially_connected is null))
    )`.execute(db);
  await sql`create index followups_episode on followups (episode_id)`.execute(db);
  await sql`create index followups_type_date on followups (interview_type, interviewed_on)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('followups').execute();
}
