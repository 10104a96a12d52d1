import { sql, type Kysely } from 'kysely';

/**
 * The per-episode measure model (metrics/measures/model.ts, docs/measures.md "Speed"):
 * one row per standard measure and initial-population episode with the label once the
 * window has closed (`closed_label`), the day it closes (`open_until`), the episode's
 * dimensions and the figures behind the measure's group statistics, computed as of the
 * latest fact (`model_state.measures_through`). A request as of that day or later is one
 * grouped scan of a measure's rows, where only window_open depends on as_of; one by track
 * or period with no filter reads `measure_cells`, those rows counted per key.
 *
 * Measured at 200k episodes (issue 15 bar): each measure evaluated its label SQL over the
 * facts at every request (0.2–5 s against a bar of about 85 ms).
 *
 * The follow-up interviews feed the funder measures: a change to them now marks the
 * models stale, as a change to the other facts does. Derived data: this migration marks
 * the models stale, and `migrate` rebuilds them (warehouse/db.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('episode_measure_rows')
    .addColumn('measure', 'text', (c) => c.notNull())
    .addColumn('episode_id', 'text', (c) => c.notNull())
    .addColumn('patient_id', 'text', (c) => c.notNull())
    .addColumn('track_code', 'text', (c) => c.notNull())
    .addColumn('site_code', 'text')
    .addColumn('clinician_id', 'text')
    .addColumn('sex', 'text')
    .addColumn('race', 'text')
    .addColumn('ethnicity', 'text')
    .addColumn('primary_substance', 'text')
    .addColumn('birth_year', 'integer')
    .addColumn('admitted_on', 'date', (c) => c.notNull())
    .addColumn('index_date', 'date')
    .addColumn('closed_label', 'text', (c) => c.notNull())
    .addColumn('open_until', 'date')
    .addColumn('stats', sql`integer[]`)
    .addPrimaryKeyConstraint('episode_measure_rows_pkey', ['measure', 'episode_id'])
    .execute();
  await sql`create index episode_measure_rows_episode on episode_measure_rows (episode_id)`.execute(db);
  // The rollup of the rows (metrics/measures/model.ts): counts and statistics sums per key.
  await db.schema
    .createTable('measure_cells')
    .addColumn('measure', 'text', (c) => c.notNull())
    .addColumn('track_code', 'text', (c) => c.notNull())
    .addColumn('index_month', 'date')
    .addColumn('admitted_month', 'date', (c) => c.notNull())
    .addColumn('age_stratum', 'text')
    .addColumn('no_birth_year', 'boolean', (c) => c.notNull())
    .addColumn('closed_label', 'text', (c) => c.notNull())
    .addColumn('open_until', 'date')
    .addColumn('k', 'integer')
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('stats', sql`integer[]`)
    .execute();
  await sql`create unique index measure_cells_key on measure_cells
    (measure, track_code, index_month, admitted_month, age_stratum, no_birth_year, closed_label, open_until, k) nulls not distinct`.execute(db);
  await sql`alter table model_state add column measures_through date`.execute(db);
  await sql`create trigger followups_model_state
    after insert or update or delete or truncate on followups
    for each statement execute function model_state_touch()`.execute(db);
  await sql`update model_state set stale = true, stale_txid = null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists followups_model_state on followups`.execute(db);
  await sql`alter table model_state drop column measures_through`.execute(db);
  await db.schema.dropTable('measure_cells').ifExists().execute();
  await db.schema.dropTable('episode_measure_rows').ifExists().execute();
}
