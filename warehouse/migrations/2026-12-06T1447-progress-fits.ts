import { sql, type Kysely } from 'kysely';

/**
 * Stored fits of the expected-recovery model (docs/progress.md "Stored fits"): one row
 * per fit, with when it was fitted and the warehouse's data version it saw (the
 * ingest lineage's finished-batch count and latest finish time), so a reader can tell
 * whether a stored fit still describes the data. `model` is the fit as
 * `iop progress model --json` prints it. Rows are only ever added; the latest per
 * (instrument, time_scale, bands) is the current fit.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table progress_fits (
      fit_id bigint generated always as identity primary key,
      instrument text not null,
      time_scale text not null check (time_scale in ('log', 'linear')),
      bands boolean not null,
      fitted_at timestamptz not null default now(),
      data_version text not null,
      model jsonb not null
    )`.execute(db);
  await sql`create index progress_fits_latest on progress_fits (instrument, time_scale, bands, fitted_at desc, fit_id desc)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table progress_fits`.execute(db);
}
