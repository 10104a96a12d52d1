import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { finishRun, startRun } from '../../ingest/jobs/job-runs';
import { useTestDatabase } from '../harness/database';
import { csv, ingestText } from './helpers';

/**
 * `finished_at` is the moment the work ended (clock_timestamp()), not the start of the
 * transaction it ran in (now()), which made every batch look instantaneous (issue 20 item 6).
 */
const t = useTestDatabase();

interface Times { started: string; finished: string | null }

async function batchTimes(batchId: string): Promise<Times> {
  const r = await sql<Times>`select started_at::text as started, finished_at::text as finished
    from ingest_batches where batch_id = ${batchId}::uuid`.execute(t.wh.db);
  const row = r.rows[0];
  if (!row) throw new Error(`no batch ${batchId}`);
  return row;
}

/** Timestamps compared in PostgreSQL (microseconds), not as JavaScript dates (milliseconds). */
async function later(a: string, b: string): Promise<boolean> {
  const r = await sql<{ later: boolean }>`select ${a}::timestamptz > ${b}::timestamptz as later`.execute(t.wh.db);
  return r.rows[0]?.later ?? false;
}

describe('batch end times', () => {
  it('a committed batch finishes after it started: the batch ran several statements in between', async () => {
    const s = await ingestText(t.wh, 'tracks', csv('track_code,name,level_of_care', 'T1,Evening IOP,iop', 'T2,Day PHP,php'));
    const times = await batchTimes(s.batch_id);
    expect(times.finished).not.toBeNull();
    expect(await later(times.finished ?? '', times.started)).toBe(true);
  });

  it('a failed batch records when it started and when it failed, in that order', async () => {
    await expect(ingestText(t.wh, 'patients', 'birth_year,sex\n1990,female\n')).rejects.toThrow(/patient_id/);
    const r = await t.wh.db.selectFrom('ingest_batches').select('batch_id').where('status', '=', 'failed').executeTakeFirstOrThrow();
    const times = await batchTimes(r.batch_id);
    expect(await later(times.finished ?? '', times.started)).toBe(true);
  });

  it('a job run finished inside a transaction records the real end time', async () => {
    const runId = await t.wh.db.transaction().execute(async (trx) => {
      const id = await startRun(trx, 'drop-folder');
      await sql`select pg_sleep(0.01)`.execute(trx);
      await finishRun(trx, id, 'succeeded', 1, null);
      return id;
    });
    const r = await sql<{ later: boolean }>`select finished_at > started_at as later from job_runs where run_id = ${runId}::uuid`.execute(t.wh.db);
    expect(r.rows[0]?.later).toBe(true);
  });
});
