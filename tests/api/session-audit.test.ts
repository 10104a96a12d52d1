import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { hashPassword, verifyPassword } from '../../api/auth/password';
import { hashToken } from '../../api/auth/tokens';
import { useTestDatabase } from '../harness/database';
import { bearer, createTestUsers, PASSWORD, testApp, type TestUsers } from './helpers';

const t = useTestDatabase();
let app: FastifyInstance;
let users: TestUsers;

beforeAll(async () => {
  users = await createTestUsers(t.wh);
  app = await testApp(t.wh);
});
afterAll(async () => app?.close());

const signIn = (username: string, password: string, a = app) =>
  a.inject({ method: 'POST', url: '/api/v1/session', payload: { username, password } });

function sessionCookie(setCookie: string | string[] | undefined): string {
  const header = Array.isArray(setCookie) ? setCookie.join('\n') : setCookie ?? '';
  return header;
}

describe('passwords and tokens at rest', () => {
  it('stores scrypt hashes with a random salt, and only token hashes', async () => {
    const a = await hashPassword('same password!');
    const b = await hashPassword('same password!');
    expect(a).toMatch(/^scrypt\$32768\$8\$3\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password!', a)).toBe(true);
    expect(await verifyPassword('same password?', a)).toBe(false);
    expect(await verifyPassword('anything', null)).toBe(false);
    expect(await verifyPassword('anything', 'garbage')).toBe(false);
    const tokens = await t.wh.db.selectFrom('api_tokens').select('token_hash').execute();
    expect(tokens.map((r) => r.token_hash)).toContain(hashToken(users.admin));
    expect(tokens.map((r) => r.token_hash)).not.toContain(users.admin);
    expect(users.admin).toMatch(/^[\w-]{43}$/);
  });
});

describe('session sign-in', () => {
  it('sets an HttpOnly SameSite=Strict cookie that /me accepts, and signs out', async () => {
    const res = await signIn('vic', PASSWORD);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ username: 'vic', role: 'viewer', tracks: ['day'], sites: null });
    const header = sessionCookie(res.headers['set-cookie']);
    expect(header).toMatch(/^iop_session=[\w-]{43};/);
    expect(header).toMatch(/HttpOnly/);
    expect(header).toMatch(/SameSite=Strict/);
    expect(header).toMatch(/Path=\//);
    expect(header).not.toMatch(/Secure/);
    const cookie = res.cookies.find((c) => c.name === 'iop_session');
    expect(cookie).toBeDefined();
    const me = await app.inject({ url: '/api/v1/me', cookies: { iop_session: cookie?.value ?? '' } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({ username: 'vic', role: 'viewer', tracks: ['day'], sites: null });

    const out = await app.inject({ method: 'DELETE', url: '/api/v1/session', cookies: { iop_session: cookie?.value ?? '' } });
    expect(out.statusCode).toBe(204);
    expect(sessionCookie(out.headers['set-cookie'])).toMatch(/iop_session=;/);
    expect((await app.inject({ url: '/api/v1/me', cookies: { iop_session: cookie?.value ?? '' } })).statusCode).toBe(401);
  });

  it('answers a wrong password, an unknown user and a user without a password with the same 401', async () => {
    const bodies = [await signIn('vic', 'wrong password'), await signIn('nobody', PASSWORD), await signIn('ann', PASSWORD)];
    for (const res of bodies) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: 'Wrong username or password', details: [] });
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });

  it('marks the cookie Secure when configured', async () => {
    const { loadConfig } = await import('../../warehouse/config');
    const secure = await testApp(t.wh, { config: loadConfig({ IOP_COOKIE_SECURE: 'true', IOP_LOG_LEVEL: 'silent' }) });
    const res = await signIn('ada', PASSWORD, secure);
    expect(sessionCookie(res.headers['set-cookie'])).toMatch(/; Secure/);
    await secure.close();
  });

  it('rate-limits sign-in attempts per IP', async () => {
    const limited = await testApp(t.wh, { loginPerMinute: 3, rateLimitPerMinute: 1000 });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await signIn('ada', 'guess', limited)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const res = await signIn('ada', 'guess', limited);
    expect(res.json()).toMatchObject({ error: expect.any(String), details: [] });
    await limited.close();
  });
});

async function lastAuditId(): Promise<number> {
  const row = await t.wh.db.selectFrom('audit_log').select((eb) => eb.fn.max('audit_id').as('id')).executeTakeFirst();
  return Number(row?.id ?? 0);
}

describe('audit log', () => {
  it('writes one row per /api/v1 request, allowed or denied, without secrets', async () => {
    // The log is append-only (a trigger refuses DELETE): read only the rows written from here on.
    const since = await lastAuditId();
    const requests = [
      { req: { url: '/api/v1/me' }, status: 401, user: null },
      { req: { url: '/api/v1/me', headers: bearer(users.viewer) }, status: 200, user: 'vic' },
      { req: { url: '/api/v1/metrics/retention?track=evening&min_cell=0', headers: bearer(users.viewer) }, status: 403, user: 'vic' },
      { req: { url: '/api/v1/metrics/retention?as_of=nope', headers: bearer(users.analyst) }, status: 400, user: 'ann' },
      { req: { url: '/api/v1/audit', headers: bearer(users.analyst) }, status: 403, user: 'ann' },
      { req: { url: '/api/v1/nothing-here', headers: bearer(users.admin) }, status: 404, user: 'ada' },
      { req: { method: 'POST' as const, url: '/api/v1/session', payload: { username: 'ada', password: 'secret-guess' } }, status: 401, user: null },
      { req: { method: 'POST' as const, url: '/api/v1/session', payload: { username: 'ada', password: PASSWORD } }, status: 200, user: 'ada' },
    ];
    for (const r of requests) expect((await app.inject(r.req)).statusCode).toBe(r.status);
    expect((await app.inject({ url: '/api/health' })).statusCode).toBe(200);

    const rows = await t.wh.db.selectFrom('audit_log').selectAll().where('audit_id', '>', since).orderBy('audit_id').execute();
    const key = (x: { user: string | null; status: number }) => `${x.user ?? '-'} ${x.status}`;
    expect(rows.map(key).sort()).toEqual(requests.map(key).sort());
    expect(rows.find((r) => r.status === 403 && r.user === 'vic')).toMatchObject({ route: 'GET /api/v1/metrics/retention', params: { track: 'evening', min_cell: '0' } });
    expect(rows.find((r) => r.route === 'POST /api/v1/session' && r.status === 401)).toMatchObject({ params: { username: 'ada' } });
    expect(rows.every((r) => typeof r.request_id === 'string' && r.at instanceof Date)).toBe(true);
    const text = JSON.stringify(rows);
    expect(text).not.toContain('secret-guess');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(users.viewer);

    const listed = await app.inject({ url: '/api/v1/audit?limit=3', headers: bearer(users.admin) });
    expect(listed.statusCode).toBe(200);
    const body = listed.json() as { audit_id: number; route: string }[];
    expect(body).toHaveLength(3);
    expect(body[0]?.audit_id).toBeGreaterThan(body[1]?.audit_id ?? Infinity);
  });

  it('bounds what a hostile request can write into the log', async () => {
    const since = await lastAuditId();
    const long = 'y'.repeat(10_000);
    await app.inject({ url: `/api/v1/metrics/retention?track=${long}&token=abc&password=p`, headers: bearer(users.analyst) });
    const [row] = await t.wh.db.selectFrom('audit_log').selectAll().where('audit_id', '>', since).execute();
    const params = row?.params as Record<string, string>;
    expect(params.track?.length).toBeLessThan(260);
    expect(params).not.toHaveProperty('token');
    expect(params).not.toHaveProperty('password');
  });
});
