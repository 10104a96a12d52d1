import { sql, type Kysely } from 'kysely';

/**
 * Per-episode outcome models (DESIGN.md §3 "Models"). They hold what the metric
 * queries group by, so a metric reads one narrow row per episode instead of the
 * facts. They are derived data: `refresh` rebuilds them for the episodes a batch
 * touched, `refresh --full` for all. Open-episode fields are as of the refresh date.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('episode_outcomes')
    .addColumn('episode_id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', (c) => c.notNull())
    .addColumn('track_code', 'text', (c) => c.notNull())
    .addColumn('admitted_on', 'date', (c) => c.notNull())
    .addColumn('discharged_on', 'date')
    .addColumn('discharge_reason', 'text')
    .addColumn('primary_substance', 'text')
    .addColumn('sex', 'text')
    .addColumn('age_at_admission', 'integer')
    // attendance
    .addColumn('sessions_attended', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sessions_no_show', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sessions_cancelled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sessions_excused', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('first_attended_on', 'date')
    .addColumn('last_attended_on', 'date')
    .addColumn('initiation_on', 'date')
    .addColumn('engaged', 'boolean', (c) => c.notNull().defaultTo(false))
    // abstinence, default conventions of METRICS.md (prescribed positives and invalid ignored,
    // refused/missed as positive); metrics with other options read the facts.
    .addColumn('tests_counted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('tests_negative', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('first_negative_on', 'date')
    .addColumn('first_relapse_on', 'date')
    .addColumn('last_test_on', 'date')
    .addColumn('refreshed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('episode_outcomes_track').on('episode_outcomes').columns(['track_code', 'admitted_on']).execute();
  await db.schema.createIndex('episode_outcomes_patient').on('episode_outcomes').column('patient_id').execute();

  await db.schema
    .createTable('episode_instrument_outcomes')
    .addColumn('episode_id', 'text', (c) => c.notNull())
    .addColumn('instrument', 'text', (c) => c.notNull())
    .addColumn('patient_id', 'text', (c) => c.notNull())
    .addColumn('track_code', 'text', (c) => c.notNull())
    .addColumn('scores_n', 'integer', (c) => c.notNull())
    .addColumn('baseline_on', 'date')
    .addColumn('baseline_score', 'double precision')
    .addColumn('followup_on', 'date')
    .addColumn('followup_score', 'double precision')
    .addColumn('refreshed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('episode_instrument_outcomes_pk', ['episode_id', 'instrument'])
    .execute();
  await db.schema.createIndex('episode_instrument_outcomes_instr').on('episode_instrument_outcomes').columns(['instrument', 'track_code']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('episode_instrument_outcomes').ifExists().execute();
  await db.schema.dropTable('episode_outcomes').ifExists().execute();
}
