import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { useTestDatabase } from '../harness/database';
import { bearer, createTestUsers, PASSWORD, testApp, type TestUsers } from './helpers';

// Issue 20 item 1: a NUL in a parameter made PostgreSQL refuse the jsonb params of a
// whole 20 ms batch of audit rows, so an anonymous request erased the rows of everyone
// else's. Every /api/v1 request must leave its row before the response leaves.
const t = useTestDatabase();
let app: FastifyInstance;
let users: TestUsers;

beforeAll(async () => {
  users = await createTestUsers(t.wh);
  app = await testApp(t.wh);
});
afterAll(async () => app?.close());

interface Row { audit_id: number; user: string | null; route: string; params: unknown; status: number; request_id: string | null }

async function rowsOf(requestId: unknown): Promise<Row[]> {
  if (typeof requestId !== 'string') throw new Error('response without x-request-id');
  return t.wh.db.selectFrom('audit_log').select(['audit_id', 'user', 'route', 'params', 'status', 'request_id']).where('request_id', '=', requestId).execute();
}

async function auditCount(): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(t.wh.db);
  return rows[0]?.n ?? -1;
}

const signIn = (payload: string) => app.inject({ method: 'POST', url: '/api/v1/session', headers: { 'content-type': 'application/json' }, payload });

describe('audit rows of hostile requests', () => {
  it('answers a NUL in the query string with 401 and has written its audit row when the response arrives', async () => {
    const res = await app.inject({ url: '/api/v1/me?x=%00' });
    expect(res.statusCode).toBe(401);
    // No flush: the row is written before the response is sent.
    const rows = await rowsOf(res.headers['x-request-id']);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ user: null, route: 'GET /api/v1/me', status: 401, params: { x: '\\u0000' } });

    const inPath = await app.inject({ method: 'POST', url: '/api/v1/ingest/%00' });
    expect(inPath.statusCode).toBe(401);
    expect(await rowsOf(inPath.headers['x-request-id'])).toMatchObject([{ status: 401, route: 'POST /api/v1/ingest/%00', params: { entity: '\\u0000' } }]);
  });

  it('answers a NUL in the sign-in body with 400, never 500, audits it and keeps the password out', async () => {
    const res = await signIn(JSON.stringify({ username: 'ada\u0000', password: `${PASSWORD}\u0000` }));
    expect([400, 401]).toContain(res.statusCode);
    const rows = await rowsOf(res.headers['x-request-id']);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.status).toBe(res.statusCode);
    expect(JSON.stringify(rows)).not.toContain(PASSWORD);
  });

  it('answers a lone surrogate in the sign-in body with 400 or 401 and audits it', async () => {
    const res = await signIn('{"username":"\\ud800ada","password":"whatever"}');
    expect([400, 401]).toContain(res.statusCode);
    expect(await rowsOf(res.headers['x-request-id'])).toHaveLength(1);
  });

  it('audits a malformed JSON body and a malformed URL as 400', async () => {
    const badJson = await signIn('{"username":');
    expect(badJson.statusCode).toBe(400);
    expect(await rowsOf(badJson.headers['x-request-id'])).toMatchObject([{ status: 400, route: 'POST /api/v1/session' }]);

    const badUrl = await app.inject({ url: '/api/v1/jobs/%E0%A4%A', headers: bearer(users.admin) });
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.headers['cache-control']).toBe('no-store');
    expect(await rowsOf(badUrl.headers['x-request-id'])).toMatchObject([{ status: 400, route: 'GET /api/v1/jobs/%E0%A4%A' }]);
  });

  it('keeps every row when 100 admin reads are interleaved with 200 NUL requests', async () => {
    await app.auditFlush();
    const before = await auditCount();
    const pending = [];
    for (let i = 0; i < 300; i++) {
      pending.push(i % 3 === 0
        ? app.inject({ url: '/api/v1/me', headers: bearer(users.admin) })
        : app.inject({ url: `/api/v1/me?x=%00&i=${i}` }));
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    const responses = await Promise.all(pending);
    expect(responses.filter((r) => r.statusCode === 200)).toHaveLength(100);
    expect(responses.filter((r) => r.statusCode === 401)).toHaveLength(200);
    // Even a flush (the old batch writer's) must not be needed, but may not hide a loss either.
    await app.auditFlush();
    expect(await auditCount() - before).toBe(300);
    const ids = responses.map((r) => String(r.headers['x-request-id']));
    const { rows } = await sql<{ n: number }>`select count(distinct request_id)::int as n from audit_log where request_id = any(${ids})`.execute(t.wh.db);
    expect(rows[0]?.n).toBe(300);
  });

  it('truncates a long value with a visible marker and stores invalid text escaped', async () => {
    const res = await app.inject({ url: `/api/v1/metrics/retention?track=${'y'.repeat(10_000)}&q=%ED%A0%80%FF`, headers: bearer(users.analyst) });
    expect(res.statusCode).toBe(400);
    const [row] = await rowsOf(res.headers['x-request-id']);
    const params = row?.params as Record<string, string>;
    expect(params.track).toMatch(/^y{200}…\(10000 chars\)$/);
    expect(typeof params.q).toBe('string');
  });

  it('fails the request with a 500 naming the request id when its audit row cannot be written', async () => {
    // Every insert now violates a constraint: the audit write fails, so the request must.
    await sql`alter table audit_log add constraint audit_test_refuse check (status < 0) not valid`.execute(t.wh.db);
    try {
      const res = await app.inject({ url: '/api/v1/me', headers: bearer(users.admin) });
      expect(res.statusCode).toBe(500);
      const id = String(res.headers['x-request-id']);
      expect(res.json()).toEqual({ error: `Internal server error (request ${id})`, details: [] });
      expect(res.body).not.toContain('ada');
    } finally {
      await sql`alter table audit_log drop constraint audit_test_refuse`.execute(t.wh.db);
    }
    expect((await app.inject({ url: '/api/v1/me', headers: bearer(users.admin) })).statusCode).toBe(200);
  });
});

describe('Cache-Control', () => {
  it('marks every API response no-store, answered or refused', async () => {
    const responses = [
      await app.inject({ url: '/api/v1/me', headers: bearer(users.admin) }),
      await app.inject({ url: '/api/v1/me' }),
      await app.inject({ url: '/api/v1/nothing-here', headers: bearer(users.admin) }),
      await app.inject({ url: '/api/v1/metrics/retention?as_of=nope', headers: bearer(users.analyst) }),
      await app.inject({ url: '/api/health' }),
    ];
    for (const res of responses) expect(res.headers['cache-control'], `${res.statusCode} ${res.body.slice(0, 80)}`).toBe('no-store');
  });
});
