import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';

/** The real end time (clock_timestamp(), not now(): that is the start of the transaction). */
const END_TIME = sql<Date>`clock_timestamp()`;

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'interrupted';

export interface JobRunRow {
  run_id: string;
  source: string;
  started_at: Date;
  finished_at: Date | null;
  batches: number;
  status: string;
  error: string | null;
}

/** Runs still marked `running` while we hold the source's lock belong to a process that died. */
export async function markInterrupted(db: Kysely<DB>, source: string): Promise<number> {
  const r = await db.updateTable('job_runs')
    .set({ status: 'interrupted', finished_at: END_TIME, error: 'the process ended before the run finished; its files stay pending and are picked up again' })
    .where('source', '=', source).where('status', '=', 'running').executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function startRun(db: Kysely<DB>, source: string): Promise<string> {
  const runId = crypto.randomUUID();
  await db.insertInto('job_runs').values({ run_id: runId, source, status: 'running' }).execute();
  return runId;
}

export async function finishRun(db: Kysely<DB>, runId: string, status: Exclude<RunStatus, 'running'>, batches: number, error: string | null): Promise<void> {
  await db.updateTable('job_runs').set({ status, batches, error, finished_at: END_TIME }).where('run_id', '=', runId).execute();
}

/** The latest run of each source. */
export async function lastRuns(db: Kysely<DB>): Promise<Map<string, JobRunRow>> {
  const rows = await db.selectFrom('job_runs').distinctOn('source').selectAll()
    .orderBy('source').orderBy('started_at', 'desc').execute();
  return new Map(rows.map((r) => [r.source, r]));
}

/** The latest runs, newest first (of one source when given), as `GET /api/v1/jobs` lists them. */
export async function recentRuns(db: Kysely<DB>, limit: number, source?: string): Promise<JobRunRow[]> {
  // run_id breaks ties between runs started in the same microsecond, so pages are stable.
  let q = db.selectFrom('job_runs').selectAll().orderBy('started_at', 'desc').orderBy('run_id').limit(limit);
  if (source) q = q.where('source', '=', source);
  return q.execute();
}
