import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { scopeSites } from '../../api/auth/scope';
import { createUser } from '../../api/auth/users';
import { listClinicians } from '../../warehouse/catalog';
import { refreshEpisodes } from '../../warehouse/models/refresh';
import { readModelState } from '../../warehouse/models/state';
import { useTestDatabase } from '../harness/database';
import { runCli } from '../ingest/helpers';
import { AS_OF, seedProgram } from './seed';
import { bearer, createTestUsers, testApp, type TestUsers } from './helpers';

// GET /api/v1/sites and /api/v1/clinicians (docs/formats.md "Entities"; api/README.md):
// every role reads them, and a track-scoped user sees only the sites and clinicians of
// its own tracks' episodes and sessions. POST /api/v1/ingest/{sites|clinicians} loads them.
const t = useTestDatabase();
let app: FastifyInstance;
let users: TestUsers;
/** An analyst limited to the north site. */
let northAnalyst: string;

const post = (entity: string, payload: string, token: string) =>
  app.inject({ method: 'POST', url: `/api/v1/ingest/${entity}`, payload, headers: { ...bearer(token), 'content-type': 'text/csv' } });

beforeAll(async () => {
  await seedProgram(t.wh.db);
  users = await createTestUsers(t.wh);
  app = await testApp(t.wh);
  const sites = await post('sites', 'site_code,name,organization,state\nnorth,North clinic,Cascade Health,OR\nsouth,South clinic,,WA\nwest,West clinic,,\n', users.admin);
  expect(sites.json()).toMatchObject({ entity: 'sites', inserted: 3, rejected: 0 });
  const clinicians = await post('clinicians', 'clinician_id,name,discipline,site_code,active\nc1,Ada,LCSW,north,\nc2,Alan,MD,south,false\nc3,Grace,CADC,west,\nc4,Edsger,LPC,,\n', users.admin);
  expect(clinicians.json()).toMatchObject({ entity: 'clinicians', inserted: 4, rejected: 0 });
  // E0000 is a day episode (clinician c1 at north); E0040 an evening one (c2 at south);
  // a day session is facilitated by c4. West and c3 are on no episode.
  await t.wh.db.updateTable('episodes').set({ site_code: 'north', clinician_id: 'c1' }).where('episode_id', '=', 'E0000').execute();
  await t.wh.db.updateTable('episodes').set({ site_code: 'south', clinician_id: 'c2' }).where('episode_id', '=', 'E0040').execute();
  await t.wh.db.insertInto('attendance').values({ session_id: 'S-c4', episode_id: 'E0001', patient_id: 'P0001', session_date: '2025-02-01', status: 'attended', clinician_id: 'c4' }).execute();
  northAnalyst = (await createUser(t.wh.db, { username: 'nora', role: 'analyst', tracks: null, sites: ['north'], password: null })).token;
});
afterAll(async () => app?.close());

const get = async (url: string, token: string) => {
  const res = await app.inject({ url, headers: bearer(token) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as unknown;
};

describe('GET /api/v1/sites', () => {
  it('lists every site to an unscoped user, by code', async () => {
    expect(await get('/api/v1/sites', users.analyst)).toEqual([
      { site_code: 'north', name: 'North clinic', organization: 'Cascade Health', state: 'OR' },
      { site_code: 'south', name: 'South clinic', organization: null, state: 'WA' },
      { site_code: 'west', name: 'West clinic', organization: null, state: null },
    ]);
  });

  it("lists only the sites of a track-scoped viewer's episodes", async () => {
    expect((await get('/api/v1/sites', users.viewer) as { site_code: string }[]).map((s) => s.site_code)).toEqual(['north']);
    expect((await get('/api/v1/sites', users.viewer2) as { site_code: string }[]).map((s) => s.site_code)).toEqual(['north', 'south']);
  });
});

describe('GET /api/v1/clinicians', () => {
  it('lists every clinician to an unscoped user, by id', async () => {
    expect(await get('/api/v1/clinicians', users.admin)).toEqual([
      { clinician_id: 'c1', name: 'Ada', discipline: 'LCSW', site_code: 'north', active: true },
      { clinician_id: 'c2', name: 'Alan', discipline: 'MD', site_code: 'south', active: false },
      { clinician_id: 'c3', name: 'Grace', discipline: 'CADC', site_code: 'west', active: true },
      { clinician_id: 'c4', name: 'Edsger', discipline: 'LPC', site_code: null, active: true },
    ]);
  });

  it("lists only the primary clinicians and session facilitators of a track-scoped viewer's episodes", async () => {
    expect((await get('/api/v1/clinicians', users.viewer) as { clinician_id: string }[]).map((c) => c.clinician_id)).toEqual(['c1', 'c4']);
    expect((await get('/api/v1/clinicians', users.viewer2) as { clinician_id: string }[]).map((c) => c.clinician_id)).toEqual(['c1', 'c2', 'c4']);
  });

  it('gives the same track-scoped lists from the episode model (facilitators) as from the sessions', async () => {
    const ids = async (tracks: string[]) => (await listClinicians(t.wh.db, { tracks, sites: null })).map((c) => c.clinician_id);
    // The direct insert above left the models stale: the sessions are read.
    expect((await readModelState(t.wh.db))?.stale).toBe(true);
    const fromFacts = [await ids(['day']), await ids(['day', 'evening']), await ids(['evening']), await ids([])];
    await t.wh.db.transaction().execute((trx) => refreshEpisodes(trx, 'all', AS_OF));
    expect((await readModelState(t.wh.db))?.stale).toBe(false);
    const model = await t.wh.db.selectFrom('episode_outcomes').select('facilitators').where('episode_id', '=', 'E0001').executeTakeFirstOrThrow();
    expect(model.facilitators).toEqual(['c4']);
    expect([await ids(['day']), await ids(['day', 'evening']), await ids(['evening']), await ids([])]).toEqual(fromFacts);
    expect(fromFacts).toEqual([['c1', 'c4'], ['c1', 'c2', 'c4'], ['c2'], []]);
  });
});

describe('POST /api/v1/ingest/{sites|clinicians}', () => {
  it('reports a clinician at an unknown site as a rejected row, not an error', async () => {
    const res = await post('clinicians', 'clinician_id,name,site_code\nc9,Nobody,east\n', users.admin);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ rejected: 1, errors: [{ line: 2, column: 'site_code', value: 'east', message: expect.stringMatching(/^unknown site_code: .*known sites: north, south, west$/) }] });
  });

  it('is refused to an analyst', async () => {
    expect((await post('sites', 'site_code,name\nx,X\n', users.analyst)).statusCode).toBe(403);
  });

  it('names the new entities in the OpenAPI document', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, { post?: { parameters?: { name: string; schema?: { enum?: string[] } }[] } }> };
    const entity = doc.paths['/api/v1/ingest/{entity}']?.post?.parameters?.find((p) => p.name === 'entity');
    expect(entity?.schema?.enum).toEqual(expect.arrayContaining(['sites', 'clinicians']));
  });
});

describe('users scoped by sites', () => {
  it('lists only its own sites and their clinicians', async () => {
    expect((await get('/api/v1/sites', northAnalyst) as { site_code: string }[]).map((x) => x.site_code)).toEqual(['north']);
    expect((await get('/api/v1/clinicians', northAnalyst) as { clinician_id: string }[]).map((x) => x.clinician_id)).toEqual(['c1']);
  });

  it('says which sites it is limited to in /me', async () => {
    expect(await get('/api/v1/me', northAnalyst)).toEqual({ username: 'nora', role: 'analyst', tracks: null, sites: ['north'] });
    expect(await get('/api/v1/me', users.analyst)).toMatchObject({ sites: null });
  });

  it('reads metrics, the report, comparisons and SPC charts limited to its sites: its sites are forced as the site filter', async () => {
    for (const url of [`/api/v1/metrics/completion?as_of=${AS_OF}&min_cell=0`, `/api/v1/report?as_of=${AS_OF}`, `/api/v1/measures/dep-rem-6?as_of=${AS_OF}`,
      `/api/v1/compare/completion?as_of=${AS_OF}`, `/api/v1/compare/completion?as_of=${AS_OF}&by=race`, `/api/v1/spc/completion?as_of=${AS_OF}`]) {
      const res = await app.inject({ url, headers: bearer(northAnalyst) });
      expect(res.statusCode, url).toBe(200);
    }
    // only the north episode (E0000) counts: one day-track group of n = 1, echoed with its site
    const body = (await get(`/api/v1/metrics/completion?as_of=${AS_OF}&min_cell=0`, northAnalyst)) as { filters: { site?: string[] }; groups: { key: unknown; n: number }[] };
    expect(body.filters.site).toEqual(['north']);
    expect(body.groups).toEqual([expect.objectContaining({ key: { track: 'day' }, n: 1 })]);
    const own = (await get(`/api/v1/metrics/completion?as_of=${AS_OF}&min_cell=0&site=north`, northAnalyst)) as { groups: unknown[] };
    expect(own.groups).toEqual(body.groups);
  });

  it('refuses a site outside its scope (403), on every aggregate route', async () => {
    for (const url of [`/api/v1/metrics/retention?as_of=${AS_OF}&site=south`, `/api/v1/report?as_of=${AS_OF}&site=north&site=south`,
      `/api/v1/compare/completion?as_of=${AS_OF}&site=south`, `/api/v1/spc/completion?as_of=${AS_OF}&site=south`, `/api/v1/measures/dep-rem-6?as_of=${AS_OF}&site=south`]) {
      const res = await app.inject({ url, headers: bearer(northAnalyst) });
      expect(res.statusCode, url).toBe(403);
      expect(res.json().error, url).toMatch(/Site south is outside your scope/);
    }
  });

  it('refuses the program-wide lineage routes (403), as for a track-scoped user', async () => {
    for (const url of ['/api/v1/batches', '/api/v1/rejects', `/api/v1/quality?as_of=${AS_OF}`]) {
      expect((await app.inject({ url, headers: bearer(northAnalyst) })).statusCode, url).toBe(403);
    }
  });

  it('scopes a requested site list as tracks are scoped: outside is refused, none means all of its own', () => {
    const user = { username: 'x', role: 'viewer' as const, tracks: ['day'], sites: ['north', 'east'] };
    expect(scopeSites(user, ['north', 'west'])).toEqual({ ok: false, outside: ['west'] });
    expect(scopeSites(user, ['north'])).toEqual({ ok: true, sites: ['north'] });
    expect(scopeSites(user, null)).toEqual({ ok: true, sites: ['east', 'north'] });
    expect(scopeSites({ ...user, sites: null }, ['west'])).toEqual({ ok: true, sites: ['west'] });
  });

  it('is created by `iop users add --sites`', () => {
    const r = runCli(t.url, ['users', 'add', 'sam', '--role', 'analyst', '--sites', 'south, north', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ username: 'sam', role: 'analyst', tracks: null, sites: ['north', 'south'] });
    const empty = runCli(t.url, ['users', 'add', 'sue', '--role', 'analyst', '--sites', ' , ']);
    expect(empty.status).toBe(64);
    expect(empty.stderr).toMatch(/--sites needs at least one site code/);
  });
});
