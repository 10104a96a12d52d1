import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestCsv } from '../../ingest/loader';
import { useTestDatabase } from '../harness/database';
import { count, REPO_ROOT, runCli, seedBasics, TODAY } from './helpers';

// Large files: a 200k-row batch through the loader (counts only: streaming memory is
// measured by the benchmark), and a CLI process killed with SIGKILL in the middle of a
// 300k-row batch, which must leave nothing behind (docs/formats.md: a batch is one
// transaction).
const t = useTestDatabase();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iop-ingest-large-'));
const STATUSES = ['attended', 'attended', 'attended', 'no_show', 'cancelled', 'excused'] as const;
const EPISODES = ['E1', 'E2', 'E3'] as const;

/** Writes an attendance CSV of `n` valid rows; session ids start with `prefix`. */
function writeAttendance(file: string, prefix: string, n: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, 'session_id,episode_id,session_date,status,session_type,minutes\n');
    const chunk: string[] = [];
    for (let i = 0; i < n; i++) {
      const day = String(1 + (i % 28)).padStart(2, '0');
      chunk.push(`${prefix}${i},${EPISODES[i % 3]},2024-02-${day},${STATUSES[i % STATUSES.length]},group,${30 + (i % 60)}\n`);
      if (chunk.length === 10_000) {
        fs.writeSync(fd, chunk.join(''));
        chunk.length = 0;
      }
    }
    fs.writeSync(fd, chunk.join(''));
  } finally {
    fs.closeSync(fd);
  }
}

async function copyRunning(): Promise<boolean> {
  const r = await sql<{ n: number }>`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid() and query ilike 'copy stg%'`.execute(t.wh.db);
  return (r.rows[0]?.n ?? 0) > 0;
}

async function waitFor(cond: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

beforeAll(async () => {
  await seedBasics(t.wh);
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('large files', () => {
  it('ingests a 200k-row attendance file in one batch and counts every row', async () => {
    const file = path.join(dir, 'attendance-200k.csv');
    writeAttendance(file, 'L', 200_000);
    const s = await ingestCsv(t.wh, { entity: 'attendance', input: fs.createReadStream(file), sourceName: 'attendance-200k.csv', today: TODAY });
    expect(s).toMatchObject({ status: 'committed', rows_read: 200_000, inserted: 200_000, updated: 0, unchanged: 0, rejected: 0 });
    expect(await count(t.wh, 'attendance')).toBe(200_000);
    const sessions = await sql<{ n: number }>`
      select sum(sessions_attended + sessions_no_show + sessions_cancelled + sessions_excused)::int as n from episode_outcomes`.execute(t.wh.db);
    expect(sessions.rows[0]?.n).toBe(200_000);
  }, 180_000);

  it('leaves no partial rows when the process is killed mid-batch, and a rerun completes', async () => {
    const file = path.join(dir, 'attendance-300k.csv');
    writeAttendance(file, 'K', 300_000);
    const before = await count(t.wh, 'attendance');

    // Own process group, so SIGKILL reaches the node process behind npx and tsx.
    const child = spawn('npx', ['tsx', 'bin/iop.ts', 'ingest', 'attendance', file], {
      cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: t.url, IOP_LOG_LEVEL: 'warn' }, detached: true, stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    const pid = child.pid;
    if (pid === undefined) throw new Error('the CLI did not start');
    expect(await waitFor(copyRunning, 60_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    process.kill(-pid, 'SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // The server rolls the transaction back once it notices the closed connection.
    expect(await waitFor(async () => !(await copyRunning()), 30_000)).toBe(true);
    expect(await count(t.wh, 'attendance')).toBe(before);
    const batches = await t.wh.db.selectFrom('ingest_batches').select('status').where('source_name', '=', 'attendance-300k.csv').execute();
    expect(batches.filter((b) => b.status === 'committed')).toEqual([]);

    const rerun = runCli(t.url, ['ingest', 'attendance', file, '--json']);
    expect(rerun.status).toBe(0);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ status: 'committed', rows_read: 300_000, inserted: 300_000, rejected: 0 });
    expect(await count(t.wh, 'attendance')).toBe(before + 300_000);
  }, 240_000);
});
