import type { Warehouse } from '../../warehouse/db';
import { pullFhir, type PullSummary } from '../fhir/server-pull';
import type { FhirSource, JobSource } from './config';
import { runFolderSource, type FolderRunResult } from './folder-source';
import { finishRun, markInterrupted, startRun } from './job-runs';

export interface JobResult {
  run_id: string | null;
  source: string;
  status: 'succeeded' | 'failed' | 'skipped';
  batches: number;
  error: string | null;
  folder?: FolderRunResult;
  fhir?: PullSummary;
}

export interface RunJobOptions {
  today?: string;
  fetch?: typeof fetch;
}

/**
 * Runs one source once and records it in `job_runs`. A session advisory lock per source
 * keeps two processes (a scheduler and a manual `jobs run`) from running it at once; it
 * is released when the connection closes, so a killed process never leaves it held.
 */
export async function runJob(wh: Warehouse, src: JobSource, o: RunJobOptions = {}): Promise<JobResult> {
  const client = await wh.pool.connect();
  const key = `iop-job:${src.name}`;
  try {
    const lock = await client.query<{ ok: boolean }>('select pg_try_advisory_lock(hashtext($1)) as ok', [key]);
    if (!lock.rows[0]?.ok) return { run_id: null, source: src.name, status: 'skipped', batches: 0, error: 'another process is running this source' };
    try {
      await markInterrupted(wh.db, src.name);
      return await recorded(wh, src, o);
    } finally {
      await client.query('select pg_advisory_unlock(hashtext($1))', [key]);
    }
  } finally {
    client.release();
  }
}

async function recorded(wh: Warehouse, src: JobSource, o: RunJobOptions): Promise<JobResult> {
  const runId = await startRun(wh.db, src.name);
  const base = { run_id: runId, source: src.name };
  try {
    if (src.kind === 'folder') {
      const folder = await runFolderSource(wh, src, o.today);
      const error = folder.failed ? `${folder.failed} file(s) failed and were moved to failed/: ${folder.files.filter((f) => f.error).map((f) => `${f.file}: ${f.error ?? ''}`).join('; ')}` : null;
      await finishRun(wh.db, runId, error ? 'failed' : 'succeeded', folder.batches, error);
      return { ...base, status: error ? 'failed' : 'succeeded', batches: folder.batches, error, folder };
    }
    const fhir = await pullFhir(wh, fhirServer(src), { ...(o.today ? { today: o.today } : {}), ...(o.fetch ? { fetch: o.fetch } : {}) });
    await finishRun(wh.db, runId, 'succeeded', fhir.batches.length, null);
    return { ...base, status: 'succeeded', batches: fhir.batches.length, error: null, fhir };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    await finishRun(wh.db, runId, 'failed', 0, error);
    return { ...base, status: 'failed', batches: 0, error };
  }
}

function fhirServer(src: FhirSource) {
  if (src.auth && !src.bearerToken) throw new Error(`the environment variable ${src.auth.bearer_token_env} (auth.bearer_token_env) is not set`);
  return {
    name: src.name, baseUrl: src.base_url, resourceTypes: src.resource_types,
    ...(src.bearerToken ? { bearerToken: src.bearerToken } : {}),
    ...(src.page_size ? { pageSize: src.page_size } : {}),
    ...(src.discharge_map ? { dischargeMap: src.discharge_map } : {}),
    ...(src.episode_codes ? { episodeCodes: src.episode_codes } : {}),
    ...(src.followup_map ? { followupMap: src.followup_map } : {}),
  };
}
