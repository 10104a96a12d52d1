import { sql, type Kysely } from 'kysely';

/**
 * Ingest jobs (issue 7): the record of every scheduled or manual run, the incremental
 * high-water mark of each FHIR source, and the FHIR resources that could not be mapped
 * onto an entity (quarantined with type, id and reason, never dropped silently).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('job_runs')
    .addColumn('run_id', 'uuid', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addColumn('batches', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('running','succeeded','failed','interrupted')`))
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('job_runs_source_started').on('job_runs').columns(['source', 'started_at']).execute();

  await db.schema
    .createTable('fhir_sync_state')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('resource_type', 'text', (c) => c.notNull())
    // The FHIR instant as the server wrote it: re-sent verbatim in `_lastUpdated=gt…`.
    .addColumn('high_water', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('fhir_sync_state_pk', ['source', 'resource_type'])
    .execute();

  await db.schema
    .createTable('fhir_rejects')
    .addColumn('reject_id', 'bigserial', (c) => c.primaryKey())
    .addColumn('load_id', 'uuid', (c) => c.notNull())
    .addColumn('source_name', 'text', (c) => c.notNull())
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('resource', 'jsonb')
    .addColumn('rejected_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('fhir_rejects_load').on('fhir_rejects').column('load_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('fhir_rejects').ifExists().execute();
  await db.schema.dropTable('fhir_sync_state').ifExists().execute();
  await db.schema.dropTable('job_runs').ifExists().execute();
}
