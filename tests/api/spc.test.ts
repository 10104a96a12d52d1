import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { SpcResponseSchema, SPC_SERIES_NAMES, type SpcResponse } from '../../metrics/spc/schema';
import { spc } from '../../metrics/stats/spc';
import type { DB } from '../../warehouse/db-types';
import { refreshEpisodes } from '../../warehouse/models/refresh';
import { useTestDatabase } from '../harness/database';
import { iop } from '../metrics/cli';
import { bearer, createTestUsers, testApp, type TestUsers } from './helpers';

/**
 * `GET /api/v1/spc/{series}` and `iop spc` on a small program (docs/metrics.md "SPC charts"). Track `day`:
 * 25 admissions a month from January to December 2025, every one discharged 30 days
 * later, 12 of 25 completing (48%), except:
 * - March holds 7 admissions (a small cell: suppressed below analyst's min_cell 0);
 * - November's episodes are half still open on as_of; the 12 already gone dropped out
 *   early, so a naive chart would show November at 0% — the right-censoring of issue 18.
 * With as_of 2025-12-31 and the completion horizon of 12 weeks + 30 days (114 days),
 * January to August are mature and September to December are not.
 */
const t = useTestDatabase();
const AS_OF = '2025-12-31';
let app: FastifyInstance;
let users: TestUsers;

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

async function seed(db: Kysely<DB>): Promise<void> {
  await db.insertInto('tracks').values([{ track_code: 'day', name: 'Day IOP', level_of_care: 'iop', active: true }, { track_code: 'evening', name: 'Evening IOP', level_of_care: 'iop', active: true }]).execute();
  let k = 0;
  for (let m = 1; m <= 12; m++) {
    const size = m === 3 ? 7 : 25;
    for (let j = 0; j < size; j++) {
      k += 1;
      const admitted = `2025-${String(m).padStart(2, '0')}-${String(1 + j).padStart(2, '0')}`;
      const november = m === 11;
      const open = (november && j >= 12) || m === 12;
      const discharged = open ? null : addDays(admitted, november ? 3 : 30);
      const reason = open ? null : november ? 'dropped_out' : j < 12 ? 'completed' : j < 14 ? 'transferred' : 'dropped_out';
      const patient = `P${k}`;
      const episode = `E${k}`;
      await db.insertInto('patients').values({ patient_id: patient, birth_year: 1980, sex: 'female' }).execute();
      // every other client was first in contact 5 days before admission (their first session is attended)
      const firstContact = j % 2 === 0 ? addDays(admitted, -5) : null;
      await db.insertInto('episodes').values({ episode_id: episode, patient_id: patient, track_code: 'day', admitted_on: admitted, discharged_on: discharged, discharge_reason: reason, primary_substance: 'alcohol', first_contact_on: firstContact }).execute();
      const last = discharged ?? AS_OF;
      const sessions = [];
      for (let d = 0, s = 0; addDays(admitted, d) <= last && s < 8; d += 3, s++) {
        sessions.push({ session_id: `${episode}-S${s}`, episode_id: episode, patient_id: patient, session_date: addDays(admitted, d), status: (s + j) % 4 === 3 ? 'no_show' : 'attended', session_type: 'group', minutes: 90 });
      }
      await db.insertInto('attendance').values(sessions).execute();
      await db.insertInto('assessments').values([
        { patient_id: patient, instrument: 'PHQ-9', administered_on: admitted, total_score: 15, episode_id: episode },
        { patient_id: patient, instrument: 'PHQ-9', administered_on: addDays(admitted, 20), total_score: j % 2 ? 3 : 9, episode_id: episode },
      ]).execute();
    }
  }
  await refreshEpisodes(db, 'all', AS_OF);
}

beforeAll(async () => {
  await seed(t.wh.db);
  users = await createTestUsers(t.wh);
  app = await testApp(t.wh);
}, 120_000);
afterAll(async () => app?.close());

async function chart(url: string, token = users.analyst): Promise<SpcResponse> {
  const res = await app.inject({ url, headers: bearer(token) });
  expect(res.statusCode, `${url}: ${res.body.slice(0, 400)}`).toBe(200);
  return SpcResponseSchema.parse(res.json());
}

describe('maturity: a period enters the chart only when its episodes can all have reached the outcome', () => {
  it('never charts the latest immature months, lists them apart with the date they mature, and raises no signal from them', async () => {
    const r = await chart(`/api/v1/spc/completion?as_of=${AS_OF}&min_cell=0`);
    expect(r.points.map((p) => p.period)).toEqual(['2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06', '2025-07', '2025-08']);
    expect(r.immature.map((p) => p.period)).toEqual(['2025-09', '2025-10', '2025-11', '2025-12']);
    const november = r.immature.find((p) => p.period === '2025-11');
    expect(november).toMatchObject({ numerator: 0, denominator: 12, value: 0, matures_on: '2026-03-24' });
    expect(r.phases[0]).toMatchObject({ runs_signal: false, sigma_signals: 0 });
    expect(r.points.some((p) => p.sigma_signal)).toBe(false);
    // the same months charted naively, immature ones included: November's 0% would be a false special cause
    const naive = spc([...r.points, ...r.immature].map((p) => ({ x: p.period, num: p.numerator ?? 0, den: p.denominator ?? 0 })), { chart: 'p' });
    expect(naive.points.find((p) => p.x === '2025-11')?.sigma_signal).toBe(true);
  });

  it('moves a month onto the chart once as_of passes its maturity date', async () => {
    const later = await chart('/api/v1/spc/completion?as_of=2026-03-24&min_cell=0');
    expect(later.points.map((p) => p.period)).toContain('2025-11');
    const before = await chart('/api/v1/spc/completion?as_of=2026-03-23&min_cell=0');
    expect(before.points.map((p) => p.period)).not.toContain('2025-11');
  });
});

describe('every series answers with the strict response schema', () => {
  for (const series of SPC_SERIES_NAMES) {
    it(`${series}`, async () => {
      const r = await chart(`/api/v1/spc/${series}?as_of=${AS_OF}&min_cell=0`);
      expect(r.series).toBe(series);
      expect(r.points.length).toBeGreaterThan(0);
      expect(r.definition.maturity).toBeDefined();
    });
  }

  it('charts length of stay as an I-chart of the monthly mean (30 days every month)', async () => {
    const r = await chart(`/api/v1/spc/length-of-stay?as_of=${AS_OF}&min_cell=0`);
    expect(r.chart).toBe('i');
    expect(r.points[0]).toMatchObject({ numerator: null, denominator: 25, value: 30, cl: 30 });
  });

  it('charts wait days as an I-chart over the episodes with a first contact (5 days for 13 of 25 a month)', async () => {
    const r = await chart(`/api/v1/spc/wait-days?as_of=${AS_OF}&min_cell=0`);
    expect(r.chart).toBe('i');
    expect(r.points[0]).toMatchObject({ period: '2025-01', denominator: 13, value: 5, cl: 5 });
    // the wait is known at admission: only the current month's admissions could still change it
    expect(r.immature).toEqual([]);
  });

  it('waits for the longest planned length among the episodes: the track\'s, or an episode\'s own', async () => {
    const db = t.wh.db;
    try {
      await db.updateTable('tracks').set({ planned_weeks: 4 }).where('track_code', '=', 'day').execute();
      // 4 weeks + 30 days = 58 days: October (ends 2025-10-31) matures on 2025-12-28
      const track = await chart('/api/v1/spc/completion?as_of=2025-12-29&min_cell=0');
      expect(track.definition.maturity).toMatchObject({ horizon_days: 58, planned_weeks: 4 });
      expect(track.points.at(-1)?.period).toBe('2025-10');
      await db.updateTable('episodes').set({ planned_weeks: 20 }).where('episode_id', '=', 'E1').execute();
      const episode = await chart('/api/v1/spc/completion?as_of=2025-12-28&min_cell=0');
      expect(episode.definition.maturity).toMatchObject({ horizon_days: 170, planned_weeks: 20 });
    } finally {
      await db.updateTable('tracks').set({ planned_weeks: null }).where('track_code', '=', 'day').execute();
      await db.updateTable('episodes').set({ planned_weeks: null }).where('episode_id', '=', 'E1').execute();
    }
  });

  it('carries the configured target line with its source (TEDS-D 2004 IOP completion by default)', async () => {
    const r = await chart(`/api/v1/spc/completion?as_of=${AS_OF}&min_cell=0`);
    expect(r.target).toEqual({ value: 0.377, source: expect.stringContaining('TEDS-D 2004') });
    expect((await chart(`/api/v1/spc/attendance?as_of=${AS_OF}&min_cell=0`)).target).toBeNull();
  });

  it('opens a phase at each split date and recomputes the centre line per phase', async () => {
    const r = await chart(`/api/v1/spc/completion?as_of=${AS_OF}&min_cell=0&split=2025-05-01`);
    expect(r.phases.map((p) => [p.phase, p.split, p.first, p.last])).toEqual([[1, null, '2025-01', '2025-04'], [2, '2025-05-01', '2025-05', '2025-08']]);
    expect(r.points.find((p) => p.period === '2025-05')?.phase).toBe(2);
  });

  it('draws a Laney p′-chart on request: same centre line, limits scaled by the z-scores\' moving range', async () => {
    const p = await chart(`/api/v1/spc/attendance?as_of=${AS_OF}&min_cell=0`);
    const laney = await chart(`/api/v1/spc/attendance?as_of=${AS_OF}&min_cell=0&laney=true`);
    expect(laney.laney).toBe(true);
    expect(laney.phases[0]?.cl).toBe(p.phases[0]?.cl);
    expect(laney.points[0]?.ucl).not.toBe(p.points[0]?.ucl);
  });

  it('answers CSV with one row per point, then the immature periods', async () => {
    const res = await app.inject({ url: `/api/v1/spc/completion?as_of=${AS_OF}&min_cell=0&format=csv`, headers: bearer(users.analyst) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^status,period,start,end,phase,numerator,denominator,value,cl,lcl,ucl,target/);
    expect(lines.filter((l) => l.startsWith('point,'))).toHaveLength(8);
    expect(lines.filter((l) => l.startsWith('immature,'))).toHaveLength(4);
  });

  it('is listed in the OpenAPI document', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, unknown> }>();
    for (const s of SPC_SERIES_NAMES) expect(doc.paths[`/api/v1/spc/${s}`]).toBeDefined();
  });
});

describe('bad requests answer 400 with the parameter and value, never 500', () => {
  it.each([
    ['split=2025-13-01', 'split'],
    ['period=year', 'period'],
    ['group_by=track', 'group_by'],
    ['laney=perhaps', 'laney'],
    ['as_of=2025-02-30', 'as_of'],
  ])('%s', async (query, param) => {
    const res = await app.inject({ url: `/api/v1/spc/completion?${query}`, headers: bearer(users.analyst) });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json())).toContain(param);
  });


  it('an unknown track is 400, a track outside a viewer\'s scope is 403', async () => {
    expect((await app.inject({ url: '/api/v1/spc/completion?track=nope', headers: bearer(users.analyst) })).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/v1/spc/completion?track=evening', headers: bearer(users.viewer) })).statusCode).toBe(403);
  });
});

describe('small cells and disclosure control', () => {
  it('suppresses a month with a small count and leaves it out of the centre line and the runs', async () => {
    const r = await chart(`/api/v1/spc/completion?as_of=${AS_OF}`);
    const march = r.points.find((p) => p.period === '2025-03');
    expect(march).toMatchObject({ suppressed: true, numerator: null, denominator: null, value: null, ucl: null, lcl: null, sigma_signal: false });
    expect(r.phases[0]?.n_obs).toBe(7);
    expect(r.notes.join(' ')).toContain('suppressed');
  });

  it('gives a viewer counts rounded to base 5, the chart computed from them, and the disclosure rule', async () => {
    const r = await chart(`/api/v1/spc/completion?as_of=${AS_OF}&min_cell=0`, users.viewer);
    expect(r.min_cell).toBe(11);
    for (const p of r.points.filter((x) => !x.suppressed)) {
      expect((p.numerator ?? 0) % 5).toBe(0);
      expect((p.denominator ?? 0) % 5).toBe(0);
    }
    expect(r.definition.disclosure).toBeDefined();
  });
});

describe('iop spc', () => {
  it('prints the API body byte for byte with --format json', async () => {
    const res = await app.inject({ url: `/api/v1/spc/completion?as_of=${AS_OF}&min_cell=0&split=2025-05-01`, headers: bearer(users.analyst) });
    const run = iop(t.url, ['spc', 'completion', '--as-of', AS_OF, '--min-cell', '0', '--split', '2025-05-01']);
    expect(run.status).toBe(0);
    expect(run.stdout.trimEnd()).toBe(res.body);
  }, 60_000);

  it.each([
    [['spc', 'nope'], 'Unknown SPC series'],
    [['spc', 'completion', '--split', '2025-02-30'], 'split'],
    [['spc', 'completion', '--period', 'year'], 'period'],
  ])('exits 64 on %j', (args, message) => {
    const run = iop(t.url, args);
    expect(run.status).toBe(64);
    expect(run.stderr).toContain(message);
  }, 60_000);

  it('prints a table with the run figures in words', () => {
    const run = iop(t.url, ['spc', 'completion', '--as-of', AS_OF, '--min-cell', '0', '--format', 'table']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('longest run');
    expect(run.stdout).toContain('immature');
  }, 60_000);
});
