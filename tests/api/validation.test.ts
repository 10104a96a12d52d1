import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { useTestDatabase } from '../harness/database';
import { AS_OF, seedProgram } from './seed';
import { bearer, createTestUsers, testApp, type TestUsers } from './helpers';

const t = useTestDatabase();
let app: FastifyInstance;
let users: TestUsers;

beforeAll(async () => {
  await seedProgram(t.wh.db);
  users = await createTestUsers(t.wh);
  app = await testApp(t.wh);
});
afterAll(async () => app?.close());

const HOSTILE = [
  "' or 1=1 --",
  "day'; drop table episodes; --",
  '<script>alert(1)</script>',
  'x'.repeat(5000),
  '%00',
  '../../etc/passwd',
  '{"$ne":null}',
];
const BAD_DATES = ['2025-02-30', '2025-13-01', '20250101', '1899-12-31', 'yesterday', '2025-1-1'];

/** Query parameters of each route, with the values that must be refused besides HOSTILE. */
const PARAMS: { route: string; token: 'analyst' | 'admin'; params: Record<string, string[]> }[] = [
  ...['retention', 'completion', 'attendance', 'symptoms', 'relapse'].map((m) => ({
    route: `/api/v1/metrics/${m}`, token: 'analyst' as const,
    params: {
      track: [''], from: BAD_DATES, to: BAD_DATES, as_of: BAD_DATES, group_by: ['patient_id', 'TRACK'], period: ['week', 'day'],
      instrument: [''], substance: [''], min_cell: ['-1', '1.5', 'NaN', '1e9', 'eleven'], format: ['xml', 'CSV'],
      missing_as_positive: ['yes', '1'],
    },
  })),
  { route: '/api/v1/report', token: 'analyst', params: { track: [''], from: BAD_DATES, to: BAD_DATES, as_of: BAD_DATES, min_cell: ['-1', 'abc'], format: ['pdf', 'json'] } },
  { route: '/api/v1/rejects', token: 'analyst', params: { batch: ['123', 'not-a-uuid'], limit: ['0', '-5', '1000000', 'all'], offset: ['-1', 'x'] } },
  { route: '/api/v1/quality', token: 'analyst', params: { as_of: BAD_DATES } },
  { route: '/api/v1/audit', token: 'admin', params: { limit: ['0', '99999', 'x'], before: ['0', '-1', 'x'], user: [''] } },
  ...['/api/v1/me', '/api/v1/tracks', '/api/v1/instruments', '/api/v1/batches'].map((route) => ({ route, token: 'analyst' as const, params: {} })),
];

async function counts(): Promise<Record<string, number>> {
  const tables = ['tracks', 'instruments', 'patients', 'episodes', 'attendance', 'assessments', 'abstinence_tests', 'ingest_batches', 'rejected_rows', 'corrections', 'episode_outcomes', 'episode_instrument_outcomes', 'users', 'api_tokens'];
  const out: Record<string, number> = {};
  for (const table of tables) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(t.wh.db);
    out[table] = rows[0]?.n ?? -1;
  }
  return out;
}

function expectBadRequest(res: { statusCode: number; body: string; json: () => unknown }, what: string): void {
  expect(res.statusCode, `${what}: ${res.body.slice(0, 300)}`).toBe(400);
  const body = res.json() as { error: unknown; details: unknown };
  expect(typeof body.error, what).toBe('string');
  expect(Array.isArray(body.details), what).toBe(true);
}

describe('hostile and malformed parameters', () => {
  it('answers 400 for every hostile value in every parameter, and changes nothing', async () => {
    const before = await counts();
    const auditBefore = (await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(t.wh.db)).rows[0]?.n ?? 0;
    let requests = 0;
    for (const { route, token, params } of PARAMS) {
      const names = [...Object.keys(params), 'unknown_param'];
      for (const name of names) {
        for (const value of [...HOSTILE, ...(params[name] ?? [])]) {
          const res = await app.inject({ url: route, query: { [name]: value }, headers: bearer(users[token]) });
          requests++;
          expectBadRequest(res, `${route} ${name}=${value.slice(0, 40)}`);
        }
      }
    }
    expect(requests).toBeGreaterThan(300);
    expect(await counts()).toEqual(before);
    await app.auditFlush();
    const auditAfter = (await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(t.wh.db)).rows[0]?.n ?? 0;
    expect(auditAfter - auditBefore).toBe(requests);
  });

  it('refuses an array where one value is expected', async () => {
    for (const name of ['from', 'to', 'as_of', 'group_by', 'period', 'instrument', 'substance', 'min_cell', 'format']) {
      const res = await app.inject({ url: `/api/v1/metrics/retention?${name}=2025-01-01&${name}=2025-02-01`, headers: bearer(users.analyst) });
      expectBadRequest(res, name);
    }
    const many = Array.from({ length: 101 }, (_, i) => `track=t${i}`).join('&');
    expectBadRequest(await app.inject({ url: `/api/v1/metrics/retention?${many}`, headers: bearer(users.analyst) }), '101 tracks');
  });

  it('refuses from after to, and an unknown track or instrument with the known ones listed', async () => {
    expectBadRequest(await app.inject({ url: '/api/v1/metrics/retention?from=2025-06-01&to=2025-01-01', headers: bearer(users.analyst) }), 'from > to');
    const unknown = await app.inject({ url: '/api/v1/metrics/retention?track=night', headers: bearer(users.analyst) });
    expectBadRequest(unknown, 'unknown track');
    expect(unknown.json().error).toMatch(/known tracks: day, evening, weekend/);
    expectBadRequest(await app.inject({ url: '/api/v1/metrics/symptoms?instrument=BDI-II', headers: bearer(users.analyst) }), 'unknown instrument');
  });

  it('answers 404 (not 500) for a hostile path segment', async () => {
    for (const seg of ['patients', "retention' or 1=1 --", '%3Cscript%3E', 'x'.repeat(3000)]) {
      const res = await app.inject({ url: `/api/v1/metrics/${seg}`, headers: bearer(users.analyst) });
      expect(res.statusCode, seg.slice(0, 30)).toBe(404);
      expect(res.headers['content-type']).toMatch(/application\/json/);
    }
    const ingest = await app.inject({ method: 'POST', url: '/api/v1/ingest/users', payload: 'a\n1\n', headers: { ...bearer(users.admin), 'content-type': 'text/csv' } });
    expectBadRequest(ingest, 'ingest into a non-entity');
  });

  it('validates the sign-in body', async () => {
    const bodies: unknown[] = [{}, { username: 'ada' }, { username: ['ada'], password: 'x' }, { username: 'ada', password: 'x', admin: true }, { username: 'x'.repeat(100), password: 'x' }, 'not json', [1, 2]];
    for (const payload of bodies) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/session', payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } });
      expectBadRequest(res, JSON.stringify(payload));
    }
    const broken = await app.inject({ method: 'POST', url: '/api/v1/session', payload: '{"username":', headers: { 'content-type': 'application/json' } });
    expectBadRequest(broken, 'truncated JSON');
    const huge = await app.inject({ method: 'POST', url: '/api/v1/session', payload: JSON.stringify({ username: 'a', password: 'x'.repeat(2 * 1024 * 1024) }), headers: { 'content-type': 'application/json' } });
    expect(huge.statusCode).toBe(413);
  });

  it('refuses a bad ingest source or profile before reading the file', async () => {
    const csv = 'track_code,name\nday,Day IOP\n';
    const post = (query: Record<string, string>) => app.inject({ method: 'POST', url: '/api/v1/ingest/tracks', query, payload: csv, headers: { ...bearer(users.admin), 'content-type': 'text/csv' } });
    for (const source of HOSTILE.slice(0, 4)) expectBadRequest(await post({ source }), `source ${source.slice(0, 20)}`);
    for (const profile of ['{', '[]', '{"columns":{"X":"nope"}}', "' or 1=1 --"]) expectBadRequest(await post({ profile }), `profile ${profile}`);
    const batches = await t.wh.db.selectFrom('ingest_batches').select('batch_id').execute();
    expect(batches).toEqual([]);
  });

  it('escapes nothing into HTML: the report carries only whitelisted codes', async () => {
    const res = await app.inject({ url: `/api/v1/report?as_of=${AS_OF}`, headers: bearer(users.analyst) });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toMatch(/<script/i);
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
  });
});
