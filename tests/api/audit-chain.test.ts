import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Migrator, sql, type Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { verifyAuditChain } from '../../warehouse/audit/verify';
import { connect, migrate } from '../../warehouse/db';
import { migrationProvider } from '../../warehouse/migrations/index';
import { withDatabase } from '../../warehouse/urls';
import { dropTestDatabase, useTestDatabase } from '../harness/database';
import { bearer, createTestUsers, testApp, type TestUsers } from './helpers';

// Issue 20 item 1: the audit table is append-only for the application (a trigger
// refuses UPDATE, DELETE and TRUNCATE), and every row carries a hash chained to the
// previous one, so a row altered or deleted behind the trigger's back is found by
// `iop audit verify` (docs/security.md "Audit guarantees").
const ROOT = path.resolve(import.meta.dirname, '../..');
const t = useTestDatabase();
let app: FastifyInstance;
let users: TestUsers;

beforeAll(async () => {
  users = await createTestUsers(t.wh);
  app = await testApp(t.wh);
});
afterAll(async () => app?.close());

function iop(url: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bin/iop.ts', ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, DATABASE_URL: url, IOP_LOG_LEVEL: 'warn' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function someRequests(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await app.inject({ url: `/api/v1/me?i=${i}`, headers: bearer(users.analyst) });
}

describe('the audit log is append-only', () => {
  it('refuses UPDATE, DELETE and TRUNCATE of audit rows, even for the table owner', async () => {
    await someRequests(3);
    await expect(sql`update audit_log set status = 200`.execute(t.wh.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(t.wh.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_log`.execute(t.wh.db)).rejects.toThrow(/append-only/);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(t.wh.db);
    expect(rows[0]?.n).toBeGreaterThanOrEqual(3);
  });
});

describe('the hash chain', () => {
  it('chains rows written concurrently by the API and by direct inserts from another pool, and verifies', async () => {
    const other = connect(t.url, 8);
    try {
      await Promise.all([
        ...Array.from({ length: 60 }, (_, i) => app.inject({ url: `/api/v1/me?c=${i}`, headers: bearer(users.admin) })),
        ...Array.from({ length: 60 }, (_, i) => sql`insert into audit_log (route, status, params) values (${`GET /direct/${i}`}, 200, ${JSON.stringify({ i })}::jsonb)`.execute(other.db)),
      ]);
    } finally {
      await other.close();
    }
    const { rows } = await sql<{ n: number; lo: number; hi: number }>`select count(*)::int as n, min(chain_seq)::int as lo, max(chain_seq)::int as hi from audit_log`.execute(t.wh.db);
    const [r] = rows;
    expect(r && r.hi - r.lo + 1).toBe(r?.n);
    const cli = iop(t.url, ['audit', 'verify', '--json']);
    expect(cli.status, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ ok: true, rows: r?.n });
  });

  it('names the altered row when a superuser edits one behind the trigger, and verifies again once it is restored', async () => {
    const [victim] = (await sql<{ audit_id: number; status: number }>`select audit_id::int, status from audit_log order by chain_seq offset 5 limit 1`.execute(t.wh.db)).rows;
    if (!victim) throw new Error('no rows');
    const setStatus = (status: number) => sql`
      alter table audit_log disable trigger audit_log_append_only;
      update audit_log set status = ${sql.lit(status)} where audit_id = ${sql.lit(victim.audit_id)};
      alter table audit_log enable trigger audit_log_append_only`.execute(t.wh.db);
    await setStatus(299);
    const cli = iop(t.url, ['audit', 'verify', '--json']);
    expect(cli.status).not.toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ ok: false, broken_at: victim.audit_id });
    const text = iop(t.url, ['audit', 'verify']);
    expect(text.status).not.toBe(0);
    expect(text.stderr).toContain(`row ${victim.audit_id}`);

    await setStatus(victim.status);
    expect(await verifyAuditChain(t.wh.db)).toMatchObject({ ok: true });
  });

  it('names the row after a deleted one, and a missing last row', async () => {
    const ordered = (await sql<{ audit_id: number }>`select audit_id::int from audit_log order by chain_seq`.execute(t.wh.db)).rows.map((r) => r.audit_id);
    const [gone, next] = [ordered[10], ordered[11]];
    const last = ordered[ordered.length - 1];
    const remove = (id: number | undefined) => sql`
      alter table audit_log disable trigger audit_log_append_only;
      delete from audit_log where audit_id = ${sql.lit(id)};
      alter table audit_log enable trigger audit_log_append_only`.execute(t.wh.db);
    await remove(last);
    expect(await verifyAuditChain(t.wh.db)).toMatchObject({ ok: false, broken_at: last });
    await remove(gone);
    expect(await verifyAuditChain(t.wh.db)).toMatchObject({ ok: false, broken_at: next });
  });
});

describe('CLI reads of patient-level rows', () => {
  it('audits `iop rejects` with the OS user', async () => {
    const before = (await sql<{ n: number }>`select count(*)::int as n from audit_log where channel = 'cli'`.execute(t.wh.db)).rows[0]?.n;
    const r = iop(t.url, ['rejects', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const rows = await t.wh.db.selectFrom('audit_log').select(['user', 'route', 'status', 'channel']).where('channel', '=', 'cli').execute();
    expect(rows.length - (before ?? 0)).toBe(1);
    expect(rows.at(-1)).toMatchObject({ user: os.userInfo().username, route: 'iop rejects', status: 0, channel: 'cli' });
    const listed = await app.inject({ url: '/api/v1/audit?limit=1', headers: bearer(users.admin) });
    expect(listed.json()).toMatchObject([{ channel: 'cli', route: 'iop rejects', user: os.userInfo().username, chain_seq: expect.any(Number) }]);
  });
});

describe('the migration that starts the chain', () => {
  const name = `iop_auditmig_${crypto.randomBytes(4).toString('hex')}`;
  afterAll(async () => dropTestDatabase(name));

  it('chains the rows written before it, and migrates back down to a plain table', async () => {
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    await admin.end();
    const wh = connect(withDatabase(inject('pgAdminUrl'), name), 2);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the schema changes under the migrator
    const anyDb = wh.db as unknown as Kysely<any>;
    try {
      const migrator = new Migrator({ db: anyDb, provider: migrationProvider });
      const to = await migrator.migrateTo('2026-11-27T1900-count-rollups');
      if (to.error) throw to.error;
      await sql`insert into audit_log ("user", route, params, status, request_id) values
        ('ada', 'GET /api/v1/me', '{}', 200, 'r1'), (null, 'GET /api/v1/me', '{"x":"\\\\u0000"}', 401, 'r2'), ('ann', 'GET /api/v1/audit', '{}', 403, null)`.execute(anyDb);
      await migrate(wh.db);
      expect(await verifyAuditChain(wh.db)).toMatchObject({ ok: true, rows: 3 });
      await sql`insert into audit_log (route, status) values ('GET /after', 200)`.execute(anyDb);
      expect(await verifyAuditChain(wh.db)).toMatchObject({ ok: true, rows: 4 });

      const down = await migrator.migrateTo('2026-11-27T1900-count-rollups');
      expect(down.error).toBeUndefined();
      await sql`delete from audit_log where request_id = 'r1'`.execute(anyDb);
      const cols = await sql<{ column_name: string }>`select column_name from information_schema.columns where table_name = 'audit_log' order by column_name`.execute(anyDb);
      expect(cols.rows.map((c) => c.column_name)).toEqual(['at', 'audit_id', 'params', 'request_id', 'route', 'status', 'user']);
    } finally {
      await wh.close();
    }
  });
});
