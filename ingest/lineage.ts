import { sql, type Kysely } from 'kysely';
import type { DB } from '../warehouse/db-types';

/**
 * The lineage the loader writes (docs/formats.md): ingest batches and the rows they
 * quarantined, read the same way by `iop batches`/`iop rejects` and by
 * `GET /api/v1/batches`/`/rejects`; each caller formats the rows for its output.
 */
export async function listBatches(db: Kysely<DB>) {
  return db.selectFrom('ingest_batches')
    .select(['batch_id', 'entity', 'source_name', 'file_sha256', 'started_at', 'finished_at', 'status', 'rows_read',
      'inserted', 'updated', 'unchanged', 'rejected', 'warnings', 'error'])
    .orderBy('started_at').orderBy('batch_id').execute();
}

export interface RejectsQuery {
  /** Only this batch's rows. */
  batch?: string;
  limit?: number;
  offset?: number;
}

/** Quarantined rows by batch and line, with their errors and raw source values. */
export async function listRejects(db: Kysely<DB>, q: RejectsQuery = {}) {
  let query = db.selectFrom('rejected_rows').select(['batch_id', 'line', 'errors', 'raw']).orderBy('batch_id').orderBy('line');
  if (q.limit !== undefined) query = query.limit(q.limit);
  if (q.offset !== undefined) query = query.offset(q.offset);
  if (q.batch) query = query.where('batch_id', '=', q.batch);
  return query.execute();
}

/**
 * The warehouse's data version: the number of finished batches and the latest
 * `finished_at` (committed with the batch, so visible exactly when its rows are).
 * It changes whenever a batch finishes, whichever process ran it.
 */
export async function readDataVersion(db: Kysely<DB>): Promise<string> {
  const { rows } = await sql<{ n: string; last: string | null }>`
    select count(*)::text as n, max(finished_at)::text as last from ingest_batches where finished_at is not null
  `.execute(db);
  const row = rows[0];
  return `${row?.n ?? '0'}|${row?.last ?? ''}`;
}
