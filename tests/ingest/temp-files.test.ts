import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testApp } from '../api/helpers';
import { useTestDatabase } from '../harness/database';
import { csv, REPO_ROOT, seedBasics } from './helpers';

/**
 * Temporary ingest files (spooled uploads, quarantined rows) live in one private folder
 * per user and are removed on every exit path; what a kill -9 leaves behind is swept
 * when the next server or CLI starts (issue 20 items 4 and 6).
 */
const t = useTestDatabase();
const DIR = path.join(os.tmpdir(), `iop-ingest-${process.getuid?.() ?? 'user'}`);

const entriesOf = (pid: number) => (fs.existsSync(DIR) ? fs.readdirSync(DIR).filter((f) => f.startsWith(`${pid}-`)) : []);

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe('temporary ingest files', () => {
  it('left by a CLI ingest killed with SIGKILL are removed when the next server starts', async () => {
    await seedBasics(t.wh);
    // `iop ingest attendance -` reading a pipe that sends one row and then stalls.
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/iop.ts', 'ingest', 'attendance', '-'], {
      cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: t.url, IOP_LOG_LEVEL: 'warn' }, stdio: ['pipe', 'ignore', 'ignore'],
    });
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    const pid = child.pid;
    if (pid === undefined) throw new Error('the CLI did not start');
    child.stdin.write(csv('session_id,episode_id,session_date,status', 'K1,E1,2024-01-11,attended'));
    expect(await waitFor(() => entriesOf(pid).length > 0, 30_000)).toBe(true);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(entriesOf(pid).length).toBeGreaterThan(0);

    const app = await testApp(t.wh);
    await app.close();
    expect(entriesOf(pid)).toEqual([]);
  }, 60_000);

  it('are swept at start when their process is gone or they predate this process, and kept while their owner lives', async () => {
    fs.mkdirSync(DIR, { recursive: true, mode: 0o700 });
    // A pid above the kernel's maximum (4194304) belongs to no process.
    const dead = path.join(DIR, '999999999-upload-dead.csv');
    // Our own pid reused after a restart (a container's pid 1): older than this process.
    const reused = path.join(DIR, `${process.pid}-rejects-reused.tsv`);
    const live = path.join(DIR, `${process.pid}-upload-live.csv`);
    const deadDir = path.join(DIR, '999999999-fhir-dead');
    for (const f of [dead, reused, live]) fs.writeFileSync(f, 'x', { mode: 0o600 });
    fs.mkdirSync(deadDir, { mode: 0o700 });
    fs.writeFileSync(path.join(deadDir, 'patients.csv'), 'x');
    const longAgo = new Date(Date.now() - 24 * 3600_000 - process.uptime() * 1000);
    fs.utimesSync(reused, longAgo, longAgo);

    const app = await testApp(t.wh);
    await app.close();
    expect(fs.existsSync(dead)).toBe(false);
    expect(fs.existsSync(deadDir)).toBe(false);
    expect(fs.existsSync(reused)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
    fs.rmSync(live);
  });
});
