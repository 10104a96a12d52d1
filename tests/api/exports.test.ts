import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { tedsDischargeCsv } from '../../metrics/exports/teds-d';
import { loadConfig } from '../../warehouse/config';
import { useTestDatabase } from '../harness/database';
import { seedProgram } from './seed';
import { bearer, createTestUsers, EXPORT_SECRET, testApp, type TestUsers } from './helpers';

// GET /api/v1/exports/teds-d (docs/funder-reporting.md "TEDS-D discharge extract";
// api/README.md): admin only, audited, 409 without a configured secret, the same bytes as
// the extract the CLI writes.
const t = useTestDatabase();
let app: FastifyInstance;
let users: TestUsers;
const URL = '/api/v1/exports/teds-d?from=2025-01-01&to=2025-12-31';

beforeAll(async () => {
  await seedProgram(t.wh.db);
  users = await createTestUsers(t.wh);
  app = await testApp(t.wh);
});
afterAll(async () => app?.close());

async function auditRows(): Promise<{ user: string | null; route: string; status: number; params: Record<string, unknown> }[]> {
  await app.auditFlush();
  return (await sql<{ user: string | null; route: string; status: number; params: Record<string, unknown> }>`
    select "user", route, status, params from audit_log where route = 'GET /api/v1/exports/teds-d' order by audit_id`.execute(t.wh.db)).rows;
}

describe('GET /api/v1/exports/teds-d', () => {
  it('streams the extract to an admin as a CSV download, byte for byte what the CLI writes', async () => {
    const res = await app.inject({ url: URL, headers: bearer(users.admin) });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="teds-d-2025-01-01-2025-12-31.csv"');
    expect(res.headers['cache-control']).toBe('no-store');
    let expected = '';
    for await (const chunk of tedsDischargeCsv(t.wh, { from: '2025-01-01', to: '2025-12-31' }, EXPORT_SECRET)) expected += chunk;
    expect(res.body).toBe(expected);
    const discharged = await t.wh.db.selectFrom('episodes').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('discharged_on', '>=', '2025-01-01').where('discharged_on', '<=', '2025-12-31').executeTakeFirstOrThrow();
    expect(res.body.trimEnd().split('\r\n').length).toBe(Number(discharged.n) + 1);
    expect(discharged.n).toBeGreaterThan(20);
  });

  it('never sends an episode or patient id of the warehouse', async () => {
    const body = (await app.inject({ url: URL, headers: bearer(users.admin) })).body;
    const ids = [
      ...(await t.wh.db.selectFrom('episodes').select('episode_id as id').execute()),
      ...(await t.wh.db.selectFrom('patients').select('patient_id as id').execute()),
    ].map((r) => r.id);
    expect(ids.length).toBe(150);
    for (const id of ids) expect(body.includes(id), id).toBe(false);
  });

  it('answers 403 to analysts and viewers and 401 without a token, and audits every answer', async () => {
    const before = (await auditRows()).length;
    expect((await app.inject({ url: URL, headers: bearer(users.analyst) })).statusCode).toBe(403);
    expect((await app.inject({ url: URL, headers: bearer(users.viewer) })).statusCode).toBe(403);
    expect((await app.inject({ url: URL })).statusCode).toBe(401);
    const ok = await app.inject({ url: URL, headers: bearer(users.admin) });
    expect(ok.statusCode).toBe(200);
    const rows = (await auditRows()).slice(before);
    expect(rows.map((r) => [r.user, r.status])).toEqual([['ann', 403], ['vic', 403], [null, 401], ['ada', 200]]);
    expect(rows[3]?.params).toEqual({ from: '2025-01-01', to: '2025-12-31' });
  });

  it('answers 400 naming the parameter for a missing, malformed or reversed range', async () => {
    const cases: [string, string][] = [
      ['?from=2025-01-01', 'to'], ['?to=2025-01-01', 'from'], ['?from=2025-02-30&to=2025-12-31', 'from'],
      ['?from=2025-12-31&to=2025-01-01', 'from'], ['?from=2025-01-01&to=2025-12-31&track=day', 'track'],
    ];
    for (const [query, param] of cases) {
      const res = await app.inject({ url: `/api/v1/exports/teds-d${query}`, headers: bearer(users.admin) });
      expect(res.statusCode, query).toBe(400);
      expect(res.json<{ details: { param?: string }[] }>().details.map((d) => d.param), query).toContain(param);
    }
  });

  it('answers 409 with what to configure when the server has no secret, or a short one', async () => {
    for (const secret of [undefined, 'too-short']) {
      const bare = await testApp(t.wh, { config: loadConfig({ IOP_LOG_LEVEL: 'silent', ...(secret ? { IOP_EXPORT_SECRET: secret } : {}) }) });
      try {
        const res = await bare.inject({ url: URL, headers: bearer(users.admin) });
        expect(res.statusCode).toBe(409);
        expect(res.json<{ error: string }>().error).toMatch(/IOP_EXPORT_SECRET/);
        expect(res.body).not.toMatch(/E\d{4}/);
      } finally {
        await bare.close();
      }
    }
  });

  it('is in the OpenAPI document as an admin CSV operation with both dates', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, { get?: { tags?: string[]; parameters?: { name: string; required?: boolean }[]; responses: Record<string, unknown> } }> }>();
    const op = doc.paths['/api/v1/exports/teds-d']?.get;
    expect(op?.tags).toEqual(['admin']);
    expect(op?.parameters?.map((p) => [p.name, p.required])).toEqual([['from', true], ['to', true]]);
    expect(Object.keys(op?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '401', '403', '409']));
  });
});
