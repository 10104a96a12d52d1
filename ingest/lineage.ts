import type { Kysely } from 'kysely';
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

/** The warehouse's data version (warehouse/data-version.ts), where the lineage readers look for it. */
export { readDataVersion } from '../warehouse/data-version';
