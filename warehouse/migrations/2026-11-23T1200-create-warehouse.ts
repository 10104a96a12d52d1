import { sql, type Kysely } from 'kysely';

/**
 * Dimensions, facts and lineage (DESIGN.md §3). Column names are the canonical CSV
 * columns of §4: QI analysts query these tables directly, so they are a public
 * interface. Every fact carries `patient_id` so it can be distributed (Citus) and
 * co-located by patient; attendance gets it from its episode at ingest.
 *
 * The three large fact tables (attendance, assessments, abstinence_tests) carry no
 * foreign keys: the ingest resolves every reference inside the batch's transaction
 * (under one advisory lock), per-row FK triggers were the largest cost of a bulk merge
 * (measured: about 40% of the insert), and Citus cannot enforce an FK between
 * distributed tables that does not include the distribution column.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ingest_batches')
    .addColumn('batch_id', 'uuid', (c) => c.primaryKey())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('source_name', 'text', (c) => c.notNull())
    .addColumn('file_sha256', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('running','committed','duplicate','failed')`))
    .addColumn('rows_read', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('inserted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unchanged', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rejected', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('warnings', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('error', 'text')
    .execute();
  // One committed batch per (entity, file content): the basis of `duplicate`.
  await sql`create unique index ingest_batches_committed_sha on ingest_batches (entity, file_sha256) where status = 'committed'`.execute(db);

  await db.schema
    .createTable('rejected_rows')
    .addColumn('batch_id', 'uuid', (c) => c.notNull().references('ingest_batches.batch_id').onDelete('cascade'))
    .addColumn('line', 'integer', (c) => c.notNull())
    .addColumn('errors', 'jsonb', (c) => c.notNull())
    .addColumn('raw', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('rejected_rows_pk', ['batch_id', 'line'])
    .execute();

  await db.schema
    .createTable('corrections')
    .addColumn('correction_id', 'bigserial', (c) => c.primaryKey())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('natural_key', 'text', (c) => c.notNull())
    .addColumn('old', 'jsonb', (c) => c.notNull())
    .addColumn('new', 'jsonb', (c) => c.notNull())
    .addColumn('batch_id', 'uuid', (c) => c.notNull().references('ingest_batches.batch_id'))
    .addColumn('corrected_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('corrections_entity_key').on('corrections').columns(['entity', 'natural_key']).execute();
  await db.schema.createIndex('corrections_batch').on('corrections').column('batch_id').execute();

  await db.schema
    .createTable('tracks')
    .addColumn('track_code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('level_of_care', 'text', (c) => c.check(sql`level_of_care in ('iop','php','op')`))
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('batch_id', 'uuid', (c) => c.references('ingest_batches.batch_id'))
    .execute();

  await db.schema
    .createTable('instruments')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('loinc', 'text')
    .addColumn('min_score', 'double precision', (c) => c.notNull())
    .addColumn('max_score', 'double precision', (c) => c.notNull())
    .addColumn('higher_is_better', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('reliable_change_points', 'double precision')
    .addColumn('reliability', 'double precision')
    .addColumn('norm_sd', 'double precision')
    .addColumn('clinical_cutoff', 'double precision')
    .addColumn('remission_below', 'double precision')
    // Extension of §4: item ranges, so item scores can be validated and summed.
    .addColumn('item_count', 'integer')
    .addColumn('item_min', 'double precision')
    .addColumn('item_max', 'double precision')
    .addColumn('batch_id', 'uuid', (c) => c.references('ingest_batches.batch_id'))
    .addCheckConstraint('instruments_range', sql`min_score <= max_score`)
    .execute();

  await db.schema
    .createTable('patients')
    .addColumn('patient_id', 'text', (c) => c.primaryKey())
    .addColumn('birth_year', 'integer')
    .addColumn('sex', 'text', (c) => c.check(sql`sex in ('female','male','other','unknown')`))
    .addColumn('race', 'text')
    .addColumn('ethnicity', 'text')
    .addColumn('batch_id', 'uuid', (c) => c.references('ingest_batches.batch_id'))
    .execute();

  await db.schema
    .createTable('episodes')
    .addColumn('episode_id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.patient_id'))
    .addColumn('track_code', 'text', (c) => c.notNull().references('tracks.track_code'))
    .addColumn('admitted_on', 'date', (c) => c.notNull())
    .addColumn('discharged_on', 'date')
    .addColumn('discharge_reason', 'text', (c) =>
      c.check(sql`discharge_reason in ('completed','transferred','dropped_out','against_advice','terminated','incarcerated','died','other')`),
    )
    .addColumn('primary_substance', 'text')
    .addColumn('batch_id', 'uuid', (c) => c.references('ingest_batches.batch_id'))
    .addCheckConstraint('episodes_dates', sql`discharged_on is null or discharged_on >= admitted_on`)
    .addCheckConstraint('episodes_reason_iff_discharged', sql`(discharged_on is null) = (discharge_reason is null)`)
    .execute();
  await db.schema.createIndex('episodes_patient').on('episodes').columns(['patient_id', 'admitted_on']).execute();
  await db.schema.createIndex('episodes_track_admitted').on('episodes').columns(['track_code', 'admitted_on']).execute();

  await db.schema
    .createTable('attendance')
    .addColumn('session_id', 'text', (c) => c.primaryKey())
    .addColumn('episode_id', 'text', (c) => c.notNull())
    .addColumn('patient_id', 'text', (c) => c.notNull())
    .addColumn('session_date', 'date', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('attended','no_show','cancelled','excused')`))
    .addColumn('session_type', 'text', (c) =>
      c.check(sql`session_type in ('group','individual','family','medication','assessment','other')`),
    )
    .addColumn('minutes', 'integer', (c) => c.check(sql`minutes >= 0`))
    .addColumn('batch_id', 'uuid')
    .execute();
  await db.schema.createIndex('attendance_episode_date').on('attendance').columns(['episode_id', 'session_date']).execute();

  await db.schema
    .createTable('assessments')
    .addColumn('assessment_id', 'bigserial', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', (c) => c.notNull())
    .addColumn('instrument', 'text', (c) => c.notNull())
    .addColumn('administered_on', 'date', (c) => c.notNull())
    .addColumn('total_score', 'double precision', (c) => c.notNull())
    // episode_id is the linked episode; source_episode_id is what the file said (null = link by date).
    .addColumn('episode_id', 'text')
    .addColumn('source_episode_id', 'text')
    .addColumn('items', sql`double precision[]`)
    .addColumn('batch_id', 'uuid')
    .addUniqueConstraint('assessments_natural_key', ['patient_id', 'instrument', 'administered_on'])
    .execute();
  await db.schema.createIndex('assessments_episode').on('assessments').columns(['episode_id', 'instrument', 'administered_on']).execute();

  await db.schema
    .createTable('abstinence_tests')
    .addColumn('test_id', 'bigserial', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', (c) => c.notNull())
    .addColumn('collected_on', 'date', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull().check(sql`method in ('uds','breath','saliva','self_report')`))
    .addColumn('substance', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull().check(sql`result in ('negative','positive','refused','invalid','missed')`))
    .addColumn('episode_id', 'text')
    .addColumn('source_episode_id', 'text')
    .addColumn('prescribed', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('days_used_past_30', 'integer', (c) => c.check(sql`days_used_past_30 between 0 and 30`))
    .addColumn('batch_id', 'uuid')
    .addUniqueConstraint('abstinence_natural_key', ['patient_id', 'collected_on', 'method', 'substance'])
    .execute();
  await db.schema.createIndex('abstinence_episode').on('abstinence_tests').columns(['episode_id', 'collected_on']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['abstinence_tests', 'assessments', 'attendance', 'episodes', 'patients', 'instruments', 'tracks', 'corrections', 'rejected_rows', 'ingest_batches']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
