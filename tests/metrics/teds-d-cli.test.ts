import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { tedsDischargeCsv } from '../../metrics/exports/teds-d';
import { useTestDatabase } from '../harness/database';
import { seedProgram } from '../api/seed';

// `iop export teds-d` (docs/cli.md, docs/funder-reporting.md "TEDS-D discharge extract"):
// exit 64 on a bad range, 78 without a usable IOP_EXPORT_SECRET, an audit row before the
// file is written, and the bytes of the API's extract.
const t = useTestDatabase();
const ROOT = path.resolve(import.meta.dirname, '../..');
const SECRET = 'cli-test-export-secret-0123456789abcdef';

function iop(args: string[], env: Record<string, string> = {}) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'IOP_EXPORT_SECRET'));
  const r = spawnSync('npx', ['tsx', 'bin/iop.ts', ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...base, DATABASE_URL: t.url, IOP_LOG_LEVEL: 'warn', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.split('\n').filter((l) => !l.startsWith('npm warn')).join('\n') };
}

beforeAll(async () => {
  await seedProgram(t.wh.db);
});

describe('iop export teds-d', () => {
  it('writes the extract to --out, as the API sends it, after writing its audit row', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iop-teds-'));
    const out = path.join(dir, 'teds.csv');
    const r = iop(['export', 'teds-d', '--from', '2025-01-01', '--to', '2025-12-31', '--out', out], { IOP_EXPORT_SECRET: SECRET });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    let expected = '';
    for await (const chunk of tedsDischargeCsv(t.wh, { from: '2025-01-01', to: '2025-12-31' }, SECRET)) expected += chunk;
    expect(fs.readFileSync(out, 'utf8')).toBe(expected);
    expect(fs.readdirSync(dir)).toEqual(['teds.csv']);
    expect((fs.statSync(out).mode & 0o777).toString(8)).toBe('600');
    const audit = (await sql<{ channel: string; route: string; params: Record<string, unknown>; status: number }>`
      select channel, route, params, status from audit_log where route = 'iop export teds-d'`.execute(t.wh.db)).rows;
    expect(audit).toEqual([{ channel: 'cli', route: 'iop export teds-d', params: { from: '2025-01-01', to: '2025-12-31', out }, status: 0 }]);
    // To stdout, the same bytes.
    const stdout = iop(['export', 'teds-d', '--from', '2025-01-01', '--to', '2025-12-31'], { IOP_EXPORT_SECRET: SECRET });
    expect(stdout.status, stdout.stderr).toBe(0);
    expect(stdout.stdout).toBe(expected);
  }, 240_000);

  it('refuses to run without IOP_EXPORT_SECRET (exit 78), saying what to set, and writes nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iop-teds-'));
    const out = path.join(dir, 'teds.csv');
    const r = iop(['export', 'teds-d', '--from', '2025-01-01', '--to', '2025-12-31', '--out', out]);
    expect(r.status).toBe(78);
    expect(r.stderr).toMatch(/^iop: The TEDS-D export needs a pseudonym secret and none is configured: set IOP_EXPORT_SECRET/m);
    expect(r.stdout).toBe('');
    expect(fs.readdirSync(dir)).toEqual([]);
    const short = iop(['export', 'teds-d', '--from', '2025-01-01', '--to', '2025-12-31'], { IOP_EXPORT_SECRET: 'short' });
    expect(short.status).toBe(78);
    expect(short.stderr).toMatch(/IOP_EXPORT_SECRET is 5 characters long; the TEDS-D export needs at least 32/);
  }, 240_000);

  it('exits 64 naming the flag for a missing, malformed or reversed range, or an --out in no folder', () => {
    for (const [args, flag] of [
      [['--to', '2025-12-31'], '--from'], [['--from', '2025-02-30', '--to', '2025-12-31'], '--from "2025-02-30"'], [['--from', '2025-12-31', '--to', '2025-01-01'], '--from "2025-12-31"'],
      [['--from', '2025-01-01', '--to', '2025-12-31', '--out', '/nonexistent-folder/teds.csv'], '--out: the folder /nonexistent-folder does not exist'],
    ] as const) {
      const r = iop(['export', 'teds-d', ...args], { IOP_EXPORT_SECRET: SECRET });
      expect(r.status, r.stderr).toBe(64);
      expect(r.stderr).toContain(flag);
      expect(r.stdout).toBe('');
    }
  }, 240_000);
});
