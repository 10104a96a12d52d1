import { sql, type Kysely } from 'kysely';

/**
 * Makes the per-episode models hold exactly what the metric definitions of METRICS.md
 * read, so a metric scans one row per episode instead of the facts (issue "Outcome
 * metrics": each metric within 2× a bare count(*) over the model).
 *
 * The new columns are as-of-free: an open episode's window runs to the last fact, not
 * to the refresh date, so they do not go stale as days pass. A metric uses them only
 * when no fact is dated after its as_of (model_state.*_through), and otherwise reads
 * the facts. Weekly series (weeks 0–16 since admission) are arrays indexed week + 1.
 *
 * `model_state` says whether the models match the facts: statement triggers on the
 * tables the models derive from mark it stale, and a refresh clears it (a partial
 * refresh only when its own transaction made the change, as ingest does).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('episode_outcomes')
    // attendance within the episode (admission to discharge, or open-ended), attended and no-show only
    .addColumn('window_attended', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('window_no_show', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('iet_initiated', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('iet_engaged', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('weekly_attended', sql`integer[]`)
    .addColumn('weekly_no_show', sql`integer[]`)
    // abstinence under the default conventions: end-of-treatment window and weekly counts
    .addColumn('eot_tests', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('eot_negative', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('weekly_tests', sql`integer[]`)
    .addColumn('weekly_negative', sql`integer[]`)
    // self-reported days used in the past 30: intake (days −14…+7) and latest report
    .addColumn('report_intake_on', 'date')
    .addColumn('report_intake_days', 'integer')
    .addColumn('report_latest_on', 'date')
    .addColumn('report_latest_days', 'integer')
    .execute();

  await db.schema
    .alterTable('episode_instrument_outcomes')
    // per week since admission (0–16): the episode's mean score that week, null when unscored;
    // numeric, so the metric's sums over episodes are exact in any order
    .addColumn('weekly_mean', sql`numeric[]`)
    .execute();

  await db.schema
    .createTable('model_state')
    .addColumn('id', 'boolean', (c) => c.primaryKey().defaultTo(true).check(sql`id`))
    .addColumn('stale', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('stale_txid', 'bigint')
    .addColumn('refreshed_at', 'timestamptz')
    .addColumn('refreshed_as_of', 'date')
    // the latest fact date the models have seen; a metric as of an earlier day reads the facts
    .addColumn('attendance_through', 'date')
    .addColumn('scores_through', 'date')
    .addColumn('tests_through', 'date')
    .execute();
  // An empty warehouse has nothing to model, so the models start out current.
  await sql`insert into model_state (id, stale) values (true, false)`.execute(db);

  await sql`
    create function model_state_touch() returns trigger language plpgsql as $$
    begin
      update model_state set stale = true, stale_txid = txid_current() where not stale;
      return null;
    end $$`.execute(db);
  for (const table of ['episodes', 'patients', 'attendance', 'assessments', 'abstinence_tests']) {
    await sql`create trigger ${sql.id(`${table}_model_state`)}
      after insert or update or delete or truncate on ${sql.table(table)}
      for each statement execute function model_state_touch()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['episodes', 'patients', 'attendance', 'assessments', 'abstinence_tests']) {
    await sql`drop trigger if exists ${sql.id(`${table}_model_state`)} on ${sql.table(table)}`.execute(db);
  }
  await sql`drop function if exists model_state_touch()`.execute(db);
  await db.schema.dropTable('model_state').ifExists().execute();
  await db.schema.alterTable('episode_instrument_outcomes').dropColumn('weekly_mean').execute();
  for (const col of ['window_attended', 'window_no_show', 'iet_initiated', 'iet_engaged', 'weekly_attended', 'weekly_no_show',
    'eot_tests', 'eot_negative', 'weekly_tests', 'weekly_negative', 'report_intake_on', 'report_intake_days',
    'report_latest_on', 'report_latest_days']) {
    await db.schema.alterTable('episode_outcomes').dropColumn(col).execute();
  }
}
