import { sql, type Kysely } from 'kysely';
import type { DB } from './db-types';

/** A stored fit of the expected-recovery model (docs/progress.md "Stored fits"). */
export interface StoredProgressFit {
  fit_id: number;
  instrument: string;
  time_scale: string;
  bands: boolean;
  fitted_at: string;
  data_version: string;
  /** The fit as `iop progress model --json` prints it. */
  model: unknown;
}

export interface NewProgressFit {
  instrument: string;
  time_scale: 'log' | 'linear';
  bands: boolean;
  data_version: string;
  model: unknown;
}

/** Appends a fit; the caller runs it in the transaction that read the data it fitted. */
export async function saveProgressFit(db: Kysely<DB>, fit: NewProgressFit): Promise<{ fit_id: number; fitted_at: string }> {
  const r = await sql<{ fit_id: number; fitted_at: string }>`
    insert into progress_fits (instrument, time_scale, bands, data_version, model)
    values (${fit.instrument}, ${fit.time_scale}, ${fit.bands}, ${fit.data_version}, ${JSON.stringify(fit.model)}::jsonb)
    returning fit_id, to_char(fitted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as fitted_at`.execute(db);
  const row = r.rows[0];
  if (!row) throw new Error('insert into progress_fits returned no row');
  return row;
}

/** The latest stored fit for an instrument, time scale and banding, or undefined. */
export async function latestProgressFit(db: Kysely<DB>, instrument: string, timeScale: 'log' | 'linear', bands: boolean): Promise<StoredProgressFit | undefined> {
  const r = await sql<StoredProgressFit>`
    select fit_id, instrument, time_scale, bands, data_version, model,
      to_char(fitted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as fitted_at
    from progress_fits
    where instrument = ${instrument} and time_scale = ${timeScale} and bands = ${bands}
    order by fitted_at desc, fit_id desc
    limit 1`.execute(db);
  return r.rows[0];
}
