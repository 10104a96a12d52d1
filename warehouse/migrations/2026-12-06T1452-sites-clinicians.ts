import { sql, type Kysely } from 'kysely';

/**
 * Warehouse round 2 (docs/formats.md "Entities"): the `sites` and `clinicians`
 * dimensions, and the optional columns the standard measures need (docs/formats.md
 * "Row rules"): a track's planned length; an episode's site, primary clinician, first
 * contact, evaluation date, planned length and ICD-10-CM diagnoses; a session's
 * clinician. Every new column is nullable, so rows written before keep their meaning
 * and files without the columns still load.
 *
 * Episodes reference sites and clinicians by foreign key, as they do tracks and patients
 * (a dimension is small and an episode batch is, too). `attendance.clinician_id` has no
 * foreign key, as attendance has none (the large facts carry no FKs: see the first
 * migration); the ingest resolves it inside the batch.
 *
 * `users.sites` scopes a user to sites as `users.tracks` does to tracks (null: every
 * site; docs/security.md).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sites')
    .addColumn('site_code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('organization', 'text')
    .addColumn('state', 'text')
    .addColumn('batch_id', 'uuid', (c) => c.references('ingest_batches.batch_id'))
    .execute();

  await db.schema
    .createTable('clinicians')
    .addColumn('clinician_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('discipline', 'text')
    .addColumn('site_code', 'text', (c) => c.references('sites.site_code'))
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('batch_id', 'uuid', (c) => c.references('ingest_batches.batch_id'))
    .execute();
  await db.schema.createIndex('clinicians_site').on('clinicians').column('site_code').execute();

  await sql`alter table tracks add column planned_weeks integer check (planned_weeks between 1 and 52)`.execute(db);

  await sql`
    alter table episodes
      add column site_code text references sites (site_code),
      add column clinician_id text references clinicians (clinician_id),
      add column first_contact_on date,
      add column evaluated_on date,
      add column planned_weeks integer check (planned_weeks between 1 and 52),
      add column diagnoses text[],
      add constraint episodes_first_contact check (first_contact_on is null or first_contact_on <= admitted_on),
      add constraint episodes_evaluated check (
        evaluated_on is null or (evaluated_on <= admitted_on and (first_contact_on is null or evaluated_on >= first_contact_on)))`.execute(db);
  await db.schema.createIndex('episodes_site').on('episodes').column('site_code').execute();
  await db.schema.createIndex('episodes_clinician').on('episodes').column('clinician_id').execute();

  await sql`alter table attendance add column clinician_id text`.execute(db);
  await sql`alter table users add column sites text[]`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table users drop column sites`.execute(db);
  await sql`alter table attendance drop column clinician_id`.execute(db);
  await sql`
    alter table episodes
      drop column site_code, drop column clinician_id, drop column first_contact_on, drop column evaluated_on,
      drop column planned_weeks, drop column diagnoses`.execute(db);
  await sql`alter table tracks drop column planned_weeks`.execute(db);
  await db.schema.dropTable('clinicians').execute();
  await db.schema.dropTable('sites').execute();
}
