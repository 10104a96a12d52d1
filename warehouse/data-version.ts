import { sql, type Kysely } from 'kysely';
import type { DB } from './db-types';

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
