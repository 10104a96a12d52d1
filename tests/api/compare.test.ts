import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { EPISODE_OUTCOMES, MEASURE_OUTCOMES } from '../../metrics/compare/request';
import { AdjustedComparisonSchema, ComparisonResponseSchema, EquityComparisonSchema } from '../../metrics/compare/schema';
import { useTestDatabase } from '../harness/database';
import { bearer, createTestUsers, testApp, type TestUsers } from './helpers';
import { AS_OF, seedProgram } from './seed';

/** `GET /api/v1/compare/{outcome}` on the small API program (day 40, evening 30, weekend 5 episodes). */
const t = useTestDatabase();
let app: FastifyInstance;
let users: TestUsers;

beforeAll(async () => {
  await seedProgram(t.wh.db);
  // Race and ethnicity for the equity view: three known races of unequal size, and some unknown.
  await sql`update patients set race = case when substr(patient_id, 2)::int % 5 = 0 then null
    when substr(patient_id, 2)::int % 5 in (1, 2) then 'White' when substr(patient_id, 2)::int % 5 = 3 then 'Black' else 'Asian' end,
    ethnicity = case when substr(patient_id, 2)::int % 4 = 0 then 'Hispanic' else 'Not Hispanic' end`.execute(t.wh.db);
  users = await createTestUsers(t.wh);
  app = await testApp(t.wh);
});
afterAll(async () => app?.close());

async function get(url: string, token: string, status = 200) {
  const res = await app.inject({ url, headers: bearer(token) });
  expect(res.statusCode, `${url}: ${res.body.slice(0, 400)}`).toBe(status);
  return res.json<Record<string, unknown>>();
}

describe('GET /api/v1/compare/{outcome}', () => {
  it('answers every episode outcome by track with a body the strict schema accepts', async () => {
    for (const outcome of EPISODE_OUTCOMES) {
      const body = await get(`/api/v1/compare/${outcome}?as_of=${AS_OF}&adjust_for=age,sex`, users.analyst);
      const parsed = AdjustedComparisonSchema.parse(body);
      expect(parsed.comparison).toBe(outcome);
      // Every track with an eligible episode is listed; weekend (5 episodes) is suppressed whole, never dropped.
      expect(parsed.units.map((u) => u.key)).toEqual(['day', 'evening', 'weekend']);
      expect(parsed.units[2]).toEqual({ key: 'weekend', suppressed: ['all'] });
    }
  });

  it('answers every registered measure with a numerator, counting the episodes outside its denominator', async () => {
    // The API program records no diagnoses, so no episode enters a depression measure's initial population.
    expect(MEASURE_OUTCOMES).toEqual(['dep-rem-6', 'dep-rem-12', 'dep-resp-6', 'mbc', 'iet', 'niatx', 'i-serv', 'followup-6m']);
    for (const outcome of MEASURE_OUTCOMES) {
      const body = AdjustedComparisonSchema.parse(await get(`/api/v1/compare/${outcome}?as_of=${AS_OF}&adjust_for=age,sex`, users.analyst));
      expect(body.comparison).toBe(outcome);
      expect(body.definition).toMatchObject({ outcome: { measure: outcome } });
      const viewer = ComparisonResponseSchema.parse(await get(`/api/v1/compare/${outcome}?as_of=${AS_OF}&by=race`, users.viewer));
      const viewerNotes = viewer.kind === 'equity' ? viewer.notes : null;
      if (outcome.startsWith('dep-')) {
        expect(body.notes).toMatchObject({ episodes: 0, excluded: 0, window_open: 0 });
        expect(viewerNotes).toEqual({ excluded: 0, window_open: 0 });
      } else {
        // The access measures and the follow-up rate need no diagnosis: the episodes outside the denominator are counted (or withheld).
        expect(Object.keys(body.notes)).toEqual(expect.arrayContaining(['episodes', 'excluded', 'window_open']));
        expect(Object.keys(viewerNotes ?? {}).sort()).toEqual(['excluded', 'window_open']);
      }
    }
  });

  it('gives a fitted model table and O/E for completion adjusted for age and sex', async () => {
    const body = AdjustedComparisonSchema.parse(await get(`/api/v1/compare/completion?as_of=${AS_OF}&adjust_for=age,sex&min_cell=0`, users.analyst));
    expect(body.model.status).toBe('ok');
    expect(body.model.coefficients.map((c) => c.term)).toEqual(['(Intercept)', 'age', 'sexmale']);
    expect(body.model.reference_levels).toEqual({ sex: 'female' });
    const units = body.units.filter((u) => 'n' in u);
    const observed = units.reduce((s, u) => s + (u.observed ?? 0), 0);
    const expected = units.reduce((s, u) => s + (u.expected ?? 0), 0);
    expect(expected).toBeCloseTo(observed, 6);
    expect(body.funnel.curve.length).toBe(50);
  });

  it('fits the intercept alone with adjust_for=none (crude O/E)', async () => {
    const body = AdjustedComparisonSchema.parse(await get(`/api/v1/compare/completion?as_of=${AS_OF}&adjust_for=none&min_cell=0`, users.analyst));
    expect(body.model.status).toBe('ok');
    expect(body.model.coefficients.map((c) => c.term)).toEqual(['(Intercept)']);
  });

  it('refuses an unknown outcome, covariate or overdispersion model with 400 and the details', async () => {
    await get(`/api/v1/compare/relapse?as_of=${AS_OF}`, users.analyst, 400);
    const bad = await get(`/api/v1/compare/completion?as_of=${AS_OF}&adjust_for=age,shoe_size`, users.analyst, 400);
    expect(JSON.stringify(bad)).toContain('shoe_size');
    await get(`/api/v1/compare/completion?as_of=${AS_OF}&overdispersion=huge`, users.analyst, 400);
    const remission = await get(`/api/v1/compare/remission?as_of=${AS_OF}&instrument=PCL-5&adjust_for=age`, users.analyst, 400);
    expect(JSON.stringify(remission)).toContain('remission_below');
  });

  it('shows a viewer only its tracks, rounded to base 5, with the likelihood sums withheld', async () => {
    const body = AdjustedComparisonSchema.parse(await get(`/api/v1/compare/completion?as_of=${AS_OF}&adjust_for=age,sex&min_cell=0`, users.viewer));
    expect(body.min_cell).toBe(11);
    expect(body.filters.track).toEqual(['day']);
    expect(body.units.map((u) => u.key)).toEqual(['day']);
    for (const u of body.units) if ('n' in u) {
      expect(u.n % 5).toBe(0);
      expect((u.observed ?? 0) % 5).toBe(0);
    }
    expect(body.model.deviance).toBeNull();
    expect(body.model.aic).toBeNull();
    expect(body.model.df_residual).toBeNull();
    expect((body.model.n ?? 1) % 5).toBe(0);
    expect(body.definition).toHaveProperty('disclosure');
    await get(`/api/v1/compare/completion?as_of=${AS_OF}&track=evening`, users.viewer, 403);
  });

  it('gives rates by race with ratios to the largest known group', async () => {
    const body = EquityComparisonSchema.parse(await get(`/api/v1/compare/completion?as_of=${AS_OF}&by=race&min_cell=0`, users.analyst));
    expect(body.reference).toBe('white');
    expect(body.groups.map((g) => g.key)).toEqual(['asian', 'black', 'white', 'unknown']);
    const white = body.groups.find((g) => g.key === 'white');
    expect(white && 'ratio' in white ? white.ratio : null).toBe(1);
    const viewer = EquityComparisonSchema.parse(await get(`/api/v1/compare/engagement?as_of=${AS_OF}&by=ethnicity`, users.viewer));
    expect(viewer.definition).toHaveProperty('disclosure');
    for (const g of viewer.groups) if ('n' in g) {
      expect(g.n % 5).toBe(0);
      if (g.events !== null) {
        expect(g.events % 5).toBe(0);
        expect(g.rate).toBeCloseTo(g.events / g.n, 12);
      }
    }
    ComparisonResponseSchema.parse(viewer);
  });
});

describe('GET /api/v1/compare/{outcome} by clinician and site', () => {
  it('ranks primary clinicians and sites, with episodes that name none as an unknown unit', async () => {
    await sql`insert into sites (site_code, name) values ('north', 'North'), ('south', 'South') on conflict do nothing`.execute(t.wh.db);
    await sql`insert into clinicians (clinician_id, name, site_code) values ('c1', 'A', 'north'), ('c2', 'B', 'south') on conflict do nothing`.execute(t.wh.db);
    // Day episodes to c1 at north, evening to c2 at south, weekend left without either.
    await sql`update episodes set clinician_id = case track_code when 'day' then 'c1' when 'evening' then 'c2' end,
      site_code = case track_code when 'day' then 'north' when 'evening' then 'south' end`.execute(t.wh.db);
    const byClinician = AdjustedComparisonSchema.parse(await get(`/api/v1/compare/completion?as_of=${AS_OF}&by=clinician&adjust_for=age&min_cell=0`, users.analyst));
    expect(byClinician.units.map((u) => u.key)).toEqual(['c1', 'c2', 'unknown']);
    const bySite = AdjustedComparisonSchema.parse(await get(`/api/v1/compare/completion?as_of=${AS_OF}&by=site&adjust_for=age&min_cell=0`, users.analyst));
    expect(bySite.units.map((u) => u.key)).toEqual(['north', 'south', 'unknown']);
    // The same episodes grouped by track give the same O/E per unit (day = c1 = north).
    const byTrack = AdjustedComparisonSchema.parse(await get(`/api/v1/compare/completion?as_of=${AS_OF}&by=track&adjust_for=age&min_cell=0`, users.analyst));
    const oe = (body: typeof byTrack, key: string) => body.units.find((u) => u.key === key);
    expect(oe(byClinician, 'c1')).toMatchObject({ n: (oe(byTrack, 'day') as { n: number }).n });
    expect(oe(bySite, 'south')).toMatchObject({ n: (oe(byTrack, 'evening') as { n: number }).n });
  });
});
