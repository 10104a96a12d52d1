import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { newToken } from '../../api/auth/tokens';
import { useTestDatabase } from '../harness/database';
import { AS_OF, seedProgram } from './seed';
import { bearer, createTestUsers, testApp, type TestUsers } from './helpers';

const t = useTestDatabase();
let app: FastifyInstance;
let users: TestUsers & { clinician: string };

beforeAll(async () => {
  await seedProgram(t.wh.db);
  // A clinician user for c1, whose caseload is the day track's first episode.
  await t.wh.db.insertInto('clinicians').values({ clinician_id: 'c1', name: 'Ada' }).execute();
  await t.wh.db.updateTable('episodes').set({ clinician_id: 'c1' }).where('episode_id', '=', 'E0000').execute();
  const { createUser } = await import('../../api/auth/users');
  const clinician = await createUser(t.wh.db, { username: 'cleo', role: 'clinician', tracks: null, clinician_id: 'c1', password: null });
  users = { ...(await createTestUsers(t.wh)), clinician: clinician.token };
  app = await testApp(t.wh);
});
afterAll(async () => app?.close());

type Role = 'admin' | 'analyst' | 'viewer' | 'clinician';
interface RouteCase {
  name: string;
  request: InjectOptions;
  allowed: readonly Role[];
}

const TRACKS_CSV = 'track_code,name,level_of_care,active\nday,Day IOP,iop,true\n';
const ALL: readonly Role[] = ['admin', 'analyst', 'viewer', 'clinician'];

// Every /api/v1 route (api/README.md) with the roles that may call it (api/README.md).
const ROUTES: RouteCase[] = [
  { name: 'me', request: { url: '/api/v1/me' }, allowed: ALL },
  { name: 'tracks', request: { url: '/api/v1/tracks' }, allowed: ALL },
  { name: 'sites', request: { url: '/api/v1/sites' }, allowed: ALL },
  { name: 'clinicians', request: { url: '/api/v1/clinicians' }, allowed: ALL },
  { name: 'dimension-values', request: { url: '/api/v1/dimension-values' }, allowed: ALL },
  { name: 'instruments', request: { url: '/api/v1/instruments' }, allowed: ALL },
  ...['retention', 'completion', 'attendance', 'symptoms', 'relapse'].map((m) => ({ name: m, request: { url: `/api/v1/metrics/${m}?as_of=${AS_OF}` }, allowed: ALL })),
  { name: 'metrics csv', request: { url: `/api/v1/metrics/completion?as_of=${AS_OF}&format=csv` }, allowed: ALL },
  { name: 'compare', request: { url: `/api/v1/compare/completion?as_of=${AS_OF}&adjust_for=age,sex` }, allowed: ALL },
  { name: 'compare by race', request: { url: `/api/v1/compare/engagement?as_of=${AS_OF}&by=race` }, allowed: ALL },
  { name: 'report', request: { url: `/api/v1/report?as_of=${AS_OF}` }, allowed: ALL },
  { name: 'spc', request: { url: `/api/v1/spc/completion?as_of=${AS_OF}` }, allowed: ALL },
  { name: 'measures', request: { url: `/api/v1/measures/dep-rem-6?as_of=${AS_OF}&any_diagnosis=true` }, allowed: ALL },
  { name: 'measure rows', request: { url: `/api/v1/measures/dep-rem-6?as_of=${AS_OF}&rows=true` }, allowed: ['admin', 'analyst'] },
  { name: 'report csv', request: { url: `/api/v1/report?as_of=${AS_OF}&format=csv` }, allowed: ALL },
  { name: 'progress bands', request: { url: '/api/v1/progress/bands?instrument=PHQ-9' }, allowed: ALL },
  { name: 'progress alerts', request: { url: `/api/v1/progress/alerts?as_of=${AS_OF}` }, allowed: ['admin', 'analyst', 'clinician'] },
  { name: 'progress episode (the clinician\'s own)', request: { url: '/api/v1/progress/episodes/E0000' }, allowed: ['admin', 'analyst', 'clinician'] },
  { name: 'batches', request: { url: '/api/v1/batches' }, allowed: ['admin', 'analyst'] },
  { name: 'rejects', request: { url: '/api/v1/rejects' }, allowed: ['admin', 'analyst'] },
  { name: 'quality', request: { url: `/api/v1/quality?as_of=${AS_OF}` }, allowed: ['admin', 'analyst'] },
  { name: 'jobs', request: { url: '/api/v1/jobs' }, allowed: ['admin', 'analyst'] },
  { name: 'audit', request: { url: '/api/v1/audit' }, allowed: ['admin'] },
  { name: 'TEDS-D export', request: { url: '/api/v1/exports/teds-d?from=2025-01-01&to=2025-12-31' }, allowed: ['admin'] },
  { name: 'ingest', request: { method: 'POST', url: '/api/v1/ingest/tracks', payload: TRACKS_CSV, headers: { 'content-type': 'text/csv' } }, allowed: ['admin'] },
  { name: 'ingest sites', request: { method: 'POST', url: '/api/v1/ingest/sites', payload: 'site_code,name\nnorth,North clinic\n', headers: { 'content-type': 'text/csv' } }, allowed: ['admin'] },
  { name: 'ingest followups', request: { method: 'POST', url: '/api/v1/ingest/followups', payload: 'patient_id,interview_type,interviewed_on,status\nP-unknown,intake,2026-01-05,refused\n', headers: { 'content-type': 'text/csv' } }, allowed: ['admin'] },
  { name: 'sign out', request: { method: 'DELETE', url: '/api/v1/session' }, allowed: ALL },
];

function withAuth(request: InjectOptions, headers: Record<string, string>): InjectOptions {
  return { ...request, headers: { ...(request.headers as Record<string, string> | undefined), ...headers } };
}

describe('role × route matrix', () => {
  for (const route of ROUTES) {
    it(`${route.name}: 401 without a token, with an unknown token and with a malformed header`, async () => {
      for (const headers of [{}, bearer(newToken()), { authorization: 'Bearer' }, { authorization: `Basic ${Buffer.from('ada:x').toString('base64')}` }, bearer("' or 1=1 --")]) {
        const res = await app.inject(withAuth(route.request, headers));
        expect(res.statusCode, JSON.stringify(headers)).toBe(401);
        expect(res.json()).toMatchObject({ error: expect.any(String), details: [] });
      }
    });

    it(`${route.name}: allowed for ${route.allowed.join(', ')}, 403 for the others`, async () => {
      for (const role of ALL) {
        const res = await app.inject(withAuth(route.request, bearer(users[role])));
        const expected = route.allowed.includes(role) ? [200, 204] : [403];
        expect(expected, `${role}: ${res.statusCode} ${res.body.slice(0, 200)}`).toContain(res.statusCode);
      }
    });
  }

  it('answers an unknown /api/v1 route with 401 when anonymous and a JSON 404 when signed in', async () => {
    expect((await app.inject({ url: '/api/v1/nope' })).statusCode).toBe(401);
    const res = await app.inject({ url: '/api/v1/nope', headers: bearer(users.viewer) });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: expect.stringContaining('No route'), details: [] });
    expect((await app.inject({ url: '/elsewhere' })).json()).toMatchObject({ error: expect.any(String) });
  });

  it('keeps health, the docs and the OpenAPI document public', async () => {
    expect((await app.inject({ url: '/api/health' })).json()).toEqual({ status: 'ok', database: 'ok' });
    expect((await app.inject({ url: '/openapi.json' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/docs' })).statusCode).toBeLessThan(400);
  });

  it('refuses a revoked token', async () => {
    const { createUser } = await import('../../api/auth/users');
    const u = await createUser(t.wh.db, { username: 'gone', role: 'analyst', tracks: null, password: null });
    expect((await app.inject({ url: '/api/v1/me', headers: bearer(u.token) })).statusCode).toBe(200);
    await t.wh.db.updateTable('api_tokens').set({ revoked_at: new Date() }).where('username', '=', 'gone').execute();
    expect((await app.inject({ url: '/api/v1/me', headers: bearer(u.token) })).statusCode).toBe(401);
  });
});

describe('track scoping and suppression', () => {
  const metric = (query: string, token: string) => app.inject({ url: `/api/v1/metrics/completion?as_of=${AS_OF}&${query}`, headers: bearer(token) });

  it('gives a viewer 403 for a track outside its scope, alone or with its own', async () => {
    for (const q of ['track=evening', 'track=day&track=evening', 'track=weekend']) {
      const res = await metric(q, users.viewer);
      expect(res.statusCode, q).toBe(403);
      expect(res.json().error).toMatch(/outside your scope/);
    }
    expect((await metric('track=zzz', users.viewer)).statusCode).toBe(403);
  });

  it('gives a viewer only its own tracks when it names none', async () => {
    const body = (await metric('', users.viewer)).json();
    expect(body.filters.track).toEqual(['day']);
    expect(body.groups.map((g: { key: { track: string } }) => g.key.track)).toEqual(['day']);
    const two = (await metric('', users.viewer2)).json();
    expect(two.groups.map((g: { key: { track: string } }) => g.key.track)).toEqual(['day', 'evening']);
  });

  it('lists only the viewer\'s tracks', async () => {
    const res = await app.inject({ url: '/api/v1/tracks', headers: bearer(users.viewer) });
    expect(res.json()).toEqual([{ track_code: 'day', name: 'Day IOP', level_of_care: 'iop', active: true, planned_weeks: null }]);
    const all = await app.inject({ url: '/api/v1/tracks', headers: bearer(users.analyst) });
    expect(all.json().map((x: { track_code: string }) => x.track_code)).toEqual(['day', 'evening', 'weekend']);
  });

  it('holds a viewer to the configured min cell whatever min_cell it sends, higher included (a movable threshold differences counts)', async () => {
    for (const q of ['min_cell=0', 'min_cell=1', 'min_cell=5', '', 'min_cell=20']) {
      const res = await app.inject({ url: `/api/v1/metrics/retention?as_of=${AS_OF}&group_by=sex&${q}`, headers: bearer(users.viewer) });
      expect(res.statusCode).toBe(200);
      expect(res.json().min_cell, q).toBe(11);
    }
  });

  it('lets analysts and admins lower min_cell to 0, which shows the small weekend group', async () => {
    const suppressed = (await metric('', users.analyst)).json();
    const weekend = suppressed.groups.find((g: { key: { track: string } }) => g.key.track === 'weekend');
    expect(weekend).toEqual({ key: { track: 'weekend' }, suppressed: ['all'] });
    for (const token of [users.analyst, users.admin]) {
      const open = (await metric('min_cell=0', token)).json();
      expect(open.min_cell).toBe(0);
      const w = open.groups.find((g: { key: { track: string } }) => g.key.track === 'weekend');
      expect(w.n).toBe(5);
      expect(w.suppressed).toBeUndefined();
    }
  });

  it('suppresses the report for a viewer too', async () => {
    const res = await app.inject({ url: `/api/v1/report?as_of=${AS_OF}&format=csv&min_cell=0`, headers: bearer(users.viewer) });
    expect(res.statusCode).toBe(200);
    const lines = res.body.trim().split('\r\n').slice(1);
    expect(lines.every((l) => l.endsWith(',11'))).toBe(true);
    expect(lines.some((l) => l.includes(',evening,'))).toBe(false);
    expect((await app.inject({ url: `/api/v1/report?track=evening`, headers: bearer(users.viewer) })).statusCode).toBe(403);
  });
});
