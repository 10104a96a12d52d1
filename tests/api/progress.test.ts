import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { createUser } from '../../api/auth/users';
import { readDataVersion } from '../../ingest/lineage';
import { LAST_WEEK } from '../../warehouse/rules';
import { saveProgressFit } from '../../warehouse/progress-fits';
import { refreshEpisodes } from '../../warehouse/models/refresh';
import { alertsSource, progressAlerts } from '../../metrics/progress/alerts';
import { currentFit } from '../../metrics/progress/current-fit';
import type { ProgressAlertsResponse, ProgressBandsResponse, ProgressEpisodeResponse } from '../../metrics/progress/schema';
import { useTestDatabase } from '../harness/database';
import { iop } from '../metrics/cli';
import { AS_OF, seedProgram } from './seed';
import { bearer, createTestUsers, testApp, type TestUsers } from './helpers';

/**
 * Not-on-track alerts and the clinician role (docs/progress.md "Alerts", docs/security.md
 * "Roles"), hand-built: two custom instruments with a stored fit whose expected bands
 * are chosen here (so every limit below is known exactly), and episodes placed just
 * inside and just outside those limits, at the week boundary and at exactly RC.
 */
const t = useTestDatabase();
let app: FastifyInstance;
let users: TestUsers;
let c1: string;
let c2: string;

const PROGRESS_AS_OF = '2026-03-01';

function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * The hand-made expected bands: lower-is-better LOW (0–27, RC 6, clinical ≥ 10,
 * remission < 5): clinical mean 18 − week, limits ± 4.5; subclinical 7, ± 4.5;
 * remission 3, ± 4.5. Higher-is-better HIGH (0–100, RC 10, clinical < 50): clinical mean
 * 40 + 5·week, ± 4.5; subclinical 60, ± 4.5.
 */
function fakeModel(instrument: string, bands: Record<string, (week: number) => number>) {
  const expected = Object.entries(bands).flatMap(([band, mean]) => Array.from({ length: LAST_WEEK + 1 }, (_, week) => ({ band, week, mean: mean(week), lower: mean(week) - 4.5, upper: mean(week) + 4.5 })));
  return {
    instrument, formula: 'score ~ time * band + (time | episode), time = log(weeks + 1)', time: 'log',
    bands: Object.keys(bands).map((band) => ({ band, episodes: band === 'remission' ? 3 : 40 })), episodes_without_baseline: 0,
    fit: { n_groups: 83, n_obs: 400, convergence: { converged: true } },
    expected,
  };
}

/** An episode on track `day` with its scores as [day since admission, score]. */
interface Case { id: string; clinician: string; admitted: string; discharged?: string; scores: [number, number][]; instrument: string }

const ADM = '2026-01-05';
const LONG = '2025-10-01'; // admitted more than LAST_WEEK weeks before PROGRESS_AS_OF
const CASES: Case[] = [
  // LOW, clinical band (baseline 20): week 4 upper limit 18.5
  { id: 'A-inside', clinician: 'c1', admitted: ADM, instrument: 'LOW', scores: [[0, 20], [28, 18]] },
  { id: 'A-outside', clinician: 'c1', admitted: ADM, instrument: 'LOW', scores: [[0, 20], [28, 19]] },
  // day 27 is week 3 (upper 19.5): the same 19 is inside; it fails if the week boundary moves by a day
  { id: 'A-week3', clinician: 'c2', admitted: ADM, instrument: 'LOW', scores: [[0, 20], [27, 19]] },
  // subclinical baseline 8, after the last modelled week: only the RC rule; +6 = RC alerts, +5 does not
  { id: 'A-rc', clinician: 'c2', admitted: LONG, instrument: 'LOW', scores: [[0, 8], [130, 14]] },
  { id: 'A-rc-1', clinician: 'c2', admitted: LONG, instrument: 'LOW', scores: [[0, 8], [130, 13]] },
  // discharged before as_of: never listed, whatever its scores
  { id: 'A-closed', clinician: 'c1', admitted: ADM, discharged: '2026-02-20', instrument: 'LOW', scores: [[0, 20], [28, 27]] },
  // scored only on its baseline day (27, above week 0's upper limit of 22.5): no trajectory yet, not judged
  { id: 'A-baseonly', clinician: 'c1', admitted: ADM, instrument: 'LOW', scores: [[0, 27]] },
  // no baseline (first score on day 10): not judged
  { id: 'A-nobase', clinician: 'c1', admitted: ADM, instrument: 'LOW', scores: [[10, 27]] },
  // HIGH, clinical band (baseline 40): week 2 lower limit 45.5; 45 is below it, 46 is not
  { id: 'H-outside', clinician: 'c1', admitted: ADM, instrument: 'HIGH', scores: [[0, 40], [14, 45]] },
  { id: 'H-inside', clinician: 'c1', admitted: ADM, instrument: 'HIGH', scores: [[0, 40], [14, 46]] },
  // subclinical baseline 60 after week 16: a fall of 10 = RC alerts, 9 does not
  { id: 'H-rc', clinician: 'c2', admitted: LONG, instrument: 'HIGH', scores: [[0, 60], [130, 50]] },
  { id: 'H-rc-1', clinician: 'c2', admitted: LONG, instrument: 'HIGH', scores: [[0, 60], [130, 51]] },
];

beforeAll(async () => {
  const db = t.wh.db;
  await seedProgram(db);
  users = await createTestUsers(t.wh);
  await db.insertInto('clinicians').values([{ clinician_id: 'c1', name: 'Ada' }, { clinician_id: 'c2', name: 'Alan' }]).execute();
  // The program's day episodes: E0000–E0019 are c1's, E0020–E0039 c2's; evening has no clinician.
  await sql`update episodes set clinician_id = case when episode_id < 'E0020' then 'c1' else 'c2' end where track_code = 'day'`.execute(db);
  await db.insertInto('instruments').values([
    { code: 'LOW', name: 'lower is better', min_score: 0, max_score: 27, higher_is_better: false, reliable_change_points: 6, clinical_cutoff: 10, remission_below: 5 },
    { code: 'HIGH', name: 'higher is better', min_score: 0, max_score: 100, higher_is_better: true, reliable_change_points: 10, clinical_cutoff: 50, remission_below: null },
  ]).execute();
  for (const c of CASES) {
    await db.insertInto('patients').values({ patient_id: `P-${c.id}` }).execute();
    await db.insertInto('episodes').values({ episode_id: c.id, patient_id: `P-${c.id}`, track_code: 'day', admitted_on: c.admitted, discharged_on: c.discharged ?? null, discharge_reason: c.discharged ? 'completed' : null, clinician_id: c.clinician }).execute();
    for (const [day, score] of c.scores) {
      await db.insertInto('assessments').values({ patient_id: `P-${c.id}`, episode_id: c.id, instrument: c.instrument, administered_on: addDays(c.admitted, day), total_score: score }).execute();
    }
  }
  const version = await readDataVersion(db);
  await saveProgressFit(db, { instrument: 'LOW', time_scale: 'log', bands: true, data_version: version, model: fakeModel('LOW', { remission: () => 3, subclinical: () => 7, clinical: (w) => 18 - w }) });
  await saveProgressFit(db, { instrument: 'HIGH', time_scale: 'log', bands: true, data_version: version, model: fakeModel('HIGH', { subclinical: () => 60, clinical: (w) => 40 + 5 * w }) });
  c1 = (await createUser(db, { username: 'cleo', role: 'clinician', tracks: null, clinician_id: 'c1', password: null })).token;
  c2 = (await createUser(db, { username: 'cole', role: 'clinician', tracks: null, clinician_id: 'c2', password: null })).token;
  app = await testApp(t.wh);
});
afterAll(async () => app?.close());

const get = (url: string, token: string) => app.inject({ url, headers: bearer(token) });
const alerts = async (instrument: string, token: string, extra = '') => {
  const res = await get(`/api/v1/progress/alerts?instrument=${instrument}&as_of=${PROGRESS_AS_OF}${extra}`, token);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as ProgressAlertsResponse;
};

describe('the alert rules, hand-built', () => {
  it('lower is better: just outside the band alerts, just inside does not; the week is whole weeks since admission; exactly RC alerts and RC − 1 does not', async () => {
    const a = await alerts('LOW', users.admin);
    expect(a.alerts.map((x) => [x.episode_id, x.reasons])).toEqual([
      ['A-outside', ['above_band']],
      ['A-rc', ['reliable_worsening']],
    ]);
    const out = a.alerts[0];
    expect(out).toMatchObject({ band: 'clinical', week: 4, latest: 19, expected_upper: 18.5, worsening: -1, baseline: 20, baseline_on: ADM, clinician_id: 'c1' });
    // After the last modelled week there is no band limit; the worsening is exactly RC.
    expect(a.alerts[1]).toMatchObject({ band: 'subclinical', week: 18, expected_upper: null, worsening: 6 });
    expect(a.instrument).toEqual({ code: 'LOW', min_score: 0, max_score: 27, higher_is_better: false, rc: 6 });
    // Judged: every open LOW episode with a baseline and a later score (not A-closed, A-baseonly, A-nobase).
    expect(a.open_episodes_judged).toBe(5);
    expect(a.open_episodes_without_followup).toBe(1);
    expect(a.open_episodes_without_baseline).toBe(1);
    expect(a.fit).toMatchObject({ source: 'stored', time: 'log', bands: true });
    expect(a.fit.data_version).toBe(a.fit.current_data_version);
  });

  it('higher is better: below the lower limit alerts; a fall of exactly RC alerts and RC − 1 does not', async () => {
    const a = await alerts('HIGH', users.analyst);
    expect(a.alerts.map((x) => [x.episode_id, x.reasons])).toEqual([
      ['H-outside', ['above_band']],
      ['H-rc', ['reliable_worsening']],
    ]);
    expect(a.alerts[0]).toMatchObject({ band: 'clinical', week: 2, expected_lower: 45.5, latest: 45, worsening: -5 });
    expect(a.alerts[1]).toMatchObject({ worsening: 10 });
  });

  it('an as_of before the latest score judges the score before it', async () => {
    // On 2026-02-01 (day 27) A-outside's latest score is its baseline: on track.
    const res = await get('/api/v1/progress/alerts?instrument=LOW&as_of=2026-02-01', users.admin);
    expect((res.json() as ProgressAlertsResponse).alerts.map((x) => x.episode_id)).not.toContain('A-outside');
  });

  it('clips the limits to the instrument range (the remission band\'s lower limit of 3 − 4.5 is 0)', async () => {
    const res = await get('/api/v1/progress/bands?instrument=LOW', users.admin);
    expect(res.statusCode, res.body).toBe(200);
    const b = res.json() as ProgressBandsResponse;
    expect(b.expected.find((x) => x.band === 'remission' && x.week === 0)).toEqual({ band: 'remission', week: 0, mean: 3, lower: 0, upper: 7.5 });
    expect(b.expected.find((x) => x.band === 'clinical' && x.week === 0)).toEqual({ band: 'clinical', week: 0, mean: 18, lower: 13.5, upper: 22.5 });
  });
});

describe('the episode view', () => {
  it('gives the scores, the band of the baseline week by week, the RC threshold and the alert', async () => {
    const res = await get(`/api/v1/progress/episodes/A-outside?instrument=LOW&as_of=${PROGRESS_AS_OF}`, users.admin);
    expect(res.statusCode, res.body).toBe(200);
    const e = res.json() as ProgressEpisodeResponse;
    expect(e.episode).toMatchObject({ episode_id: 'A-outside', band: 'clinical', baseline: 20, discharged_on: null });
    expect(e.scores).toEqual([{ administered_on: ADM, day: 0, week: 0, score: 20 }, { administered_on: '2026-02-02', day: 28, week: 4, score: 19 }]);
    expect(e.expected).toHaveLength(LAST_WEEK + 1);
    expect(e.expected.every((x) => x.band === 'clinical')).toBe(true);
    expect(e.rc_threshold).toBe(26);
    expect(e.alert?.reasons).toEqual(['above_band']);
  });

  it('an episode scored only on its baseline day has no alert, whatever its score', async () => {
    const e = (await get(`/api/v1/progress/episodes/A-baseonly?instrument=LOW&as_of=${PROGRESS_AS_OF}`, users.admin)).json() as ProgressEpisodeResponse;
    expect(e.episode).toMatchObject({ baseline: 27, band: 'clinical' });
    expect(e.alert).toBeNull();
  });

  it('higher is better: the RC threshold is baseline − RC', async () => {
    const e = (await get('/api/v1/progress/episodes/H-rc?instrument=HIGH&as_of=2026-03-01', users.admin)).json() as ProgressEpisodeResponse;
    expect(e.rc_threshold).toBe(50);
    expect(e.alert?.reasons).toEqual(['reliable_worsening']);
  });

  it('is 404 for an unknown episode, 400 for a bad instrument or date', async () => {
    expect((await get('/api/v1/progress/episodes/NOPE?instrument=LOW', users.admin)).statusCode).toBe(404);
    const bad = await get('/api/v1/progress/episodes/A-outside?instrument=NOPE', users.admin);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ details: [{ param: 'instrument', value: 'NOPE' }] });
    const date = await get('/api/v1/progress/alerts?instrument=LOW&as_of=2026-02-30', users.admin);
    expect(date.statusCode).toBe(400);
    expect(date.body).toContain('as_of');
  });
});

describe('roles × routes', () => {
  const ALERTS = `/api/v1/progress/alerts?instrument=LOW&as_of=${PROGRESS_AS_OF}`;
  it('admin and analyst see every alert; a clinician only its own caseload; a viewer is refused', async () => {
    expect((await alerts('LOW', users.analyst)).alerts.map((x) => x.episode_id)).toEqual(['A-outside', 'A-rc']);
    const own1 = await alerts('LOW', c1);
    expect(own1.alerts.map((x) => x.episode_id)).toEqual(['A-outside']);
    expect(own1.filters.clinician).toEqual(['c1']);
    expect((await alerts('LOW', c2)).alerts.map((x) => x.episode_id)).toEqual(['A-rc']);
    expect((await get(ALERTS, users.viewer)).statusCode).toBe(403);
    expect((await get(ALERTS, users.viewer2)).statusCode).toBe(403);
  });

  it('a clinician naming another clinician is 403; an admin may filter by clinician', async () => {
    expect((await get(`${ALERTS}&clinician=c2`, c1)).statusCode).toBe(403);
    expect((await get(`${ALERTS}&clinician=c1`, c1)).statusCode).toBe(200);
    expect((await alerts('LOW', users.admin, '&clinician=c2')).alerts.map((x) => x.episode_id)).toEqual(['A-rc']);
  });

  it("the episode view: a clinician reads its own episodes and gets 404 for another's; viewers 403", async () => {
    expect((await get('/api/v1/progress/episodes/A-outside?instrument=LOW', c1)).statusCode).toBe(200);
    expect((await get('/api/v1/progress/episodes/A-rc?instrument=LOW', c1)).statusCode).toBe(404);
    expect((await get('/api/v1/progress/episodes/A-rc?instrument=LOW', c2)).statusCode).toBe(200);
    expect((await get('/api/v1/progress/episodes/A-outside?instrument=LOW', users.analyst)).statusCode).toBe(200);
    expect((await get('/api/v1/progress/episodes/A-outside?instrument=LOW', users.viewer)).statusCode).toBe(403);
  });

  it('the bands are an aggregate every role reads; below analyst a band under the min cell is left out and counts round to base 5', async () => {
    for (const token of [users.admin, users.analyst]) {
      const b = (await get('/api/v1/progress/bands?instrument=LOW', token)).json() as ProgressBandsResponse;
      expect(b.bands.map((x) => [x.band, x.episodes])).toEqual([['remission', 3], ['subclinical', 40], ['clinical', 40]]);
      expect(b.fit.n_episodes).toBe(83);
    }
    for (const token of [users.viewer, c1]) {
      const res = await get('/api/v1/progress/bands?instrument=LOW', token);
      expect(res.statusCode).toBe(200);
      const b = res.json() as ProgressBandsResponse;
      expect(b.suppressed_bands).toEqual(['remission']);
      expect(b.bands.map((x) => x.band)).toEqual(['subclinical', 'clinical']);
      expect(b.expected.some((x) => x.band === 'remission')).toBe(false);
      expect(b.fit.n_episodes).toBe(85);
    }
  });

  it('a clinician reads aggregate metrics of its own caseload only, with a viewer\'s disclosure control', async () => {
    const url = '/api/v1/metrics/completion?as_of=' + AS_OF + '&track=day';
    const all = await get(url, users.analyst);
    const own = await get(url, c1);
    expect(own.statusCode, own.body).toBe(200);
    const n = (body: unknown) => ((body as { groups: { n?: number }[] }).groups[0]?.n ?? null);
    // The day track holds 40 program episodes (20 each), and by AS_OF c2's four long
    // progress cases (admitted 2025-10-01); the 2026 cases come after AS_OF.
    expect(n(all.json())).toBe(44);
    expect(n(own.json())).toBe(20);
    expect((own.json() as { min_cell: number }).min_cell).toBe(11);
    // c2's 24 episodes, rounded to base 5 as a viewer's counts are.
    expect(n((await get(url, c2)).json())).toBe(25);
  });

  it('refuses a clinician the admin and row-level routes', async () => {
    for (const url of ['/api/v1/audit', '/api/v1/batches', '/api/v1/quality', '/api/v1/jobs']) {
      const res = await get(url, c1);
      expect(res.statusCode, url).toBe(403);
    }
    const ingest = await app.inject({ method: 'POST', url: '/api/v1/ingest/patients', payload: 'patient_id\nX\n', headers: { ...bearer(c1), 'content-type': 'text/csv' } });
    expect(ingest.statusCode).toBe(403);
  });

  it('GET /api/v1/me names the clinician', async () => {
    expect((await get('/api/v1/me', c1)).json()).toEqual({ username: 'cleo', role: 'clinician', tracks: null, sites: null, clinician_id: 'c1' });
  });

  it('audits every read of the alerts and of an episode, with the rows returned', async () => {
    await app.auditFlush?.();
    const rows = await sql<{ route: string; user: string; status: number; params: Record<string, unknown> }>`
      select route, "user", status, params from audit_log where route like 'GET /api/v1/progress/%' order by audit_id`.execute(t.wh.db);
    const c1Reads = rows.rows.filter((r) => r.user === 'cleo' && r.route === 'GET /api/v1/progress/alerts' && r.status === 200);
    expect(c1Reads.length).toBeGreaterThan(0);
    expect(c1Reads[0]?.params).toMatchObject({ episodes: 1 });
    expect(rows.rows.some((r) => r.user === 'vic' && r.status === 403)).toBe(true);
    expect(rows.rows.some((r) => r.route === 'GET /api/v1/progress/episodes/A-outside' && r.params.scores === 2)).toBe(true);
  });
});

describe('the CLI', () => {
  it('`iop progress alerts --json` answers as the API and audits the read; the episode view likewise', () => {
    const r = iop(t.url, ['progress', 'alerts', '--instrument', 'LOW', '--as-of', PROGRESS_AS_OF, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as ProgressAlertsResponse).alerts.map((x) => x.episode_id)).toEqual(['A-outside', 'A-rc']);
    const text = iop(t.url, ['progress', 'episode', 'A-outside', '--instrument', 'LOW', '--as-of', PROGRESS_AS_OF]);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain('NOT ON TRACK: above_band');
    const bad = iop(t.url, ['progress', 'alerts', '--as-of', 'tomorrow']);
    expect(bad.status).toBe(64);
    expect(bad.stderr).toContain('--as-of "tomorrow"');
  }, 180_000);

  it('wrote the CLI reads to the audit log', async () => {
    const rows = await sql<{ route: string; params: Record<string, unknown> }>`
      select route, params from audit_log where channel = 'cli' and route like 'iop progress %' order by audit_id`.execute(t.wh.db);
    expect(rows.rows.map((r) => r.route)).toEqual(['iop progress alerts', 'iop progress episode']);
    expect(rows.rows[0]?.params).toMatchObject({ episodes: 2 });
  });
});

describe('iop users add --role clinician', () => {
  it('needs --clinician naming a clinician in the warehouse (exit 64 otherwise), and only a clinician takes one', async () => {
    const missing = iop(t.url, ['users', 'add', 'nobody', '--role', 'clinician']);
    expect(missing.status).toBe(64);
    expect(missing.stderr).toContain('--clinician');
    const unknown = iop(t.url, ['users', 'add', 'nobody', '--role', 'clinician', '--clinician', 'c9']);
    expect(unknown.status).toBe(64);
    expect(unknown.stderr).toContain('clinician c9 is not in the warehouse');
    expect(iop(t.url, ['users', 'add', 'nobody', '--role', 'analyst', '--clinician', 'c1']).status).toBe(64);
    const ok = iop(t.url, ['users', 'add', 'clara', '--role', 'clinician', '--clinician', 'c2', '--json']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ username: 'clara', role: 'clinician', clinician_id: 'c2' });
    const row = await t.wh.db.selectFrom('users').select(['role', 'clinician_id']).where('username', '=', 'clara').executeTakeFirstOrThrow();
    expect(row).toEqual({ role: 'clinician', clinician_id: 'c2' });
  }, 180_000);
});

describe('the alerts list from the models (docs/progress.md "Alerts")', () => {
  it('reads the open episodes from the models when they are current and no score is dated after as_of, with the answers of the facts', async () => {
    const db = t.wh.db;
    const AS_OFS = [PROGRESS_AS_OF, '2026-02-03', '2026-02-10', '2027-01-01'];
    const SCOPES = [{ track: null, clinician: null }, { track: ['day'], clinician: null }, { track: null, clinician: ['c2'] }, { track: ['evening'], clinician: ['c1'] }];
    const answers = async () => {
      const out: ProgressAlertsResponse[] = [];
      for (const instrument of ['LOW', 'HIGH']) {
        const fit = await currentFit(db, instrument);
        for (const as_of of AS_OFS) for (const scope of SCOPES) out.push(await progressAlerts(db, fit, { instrument, as_of, ...scope }));
      }
      return out;
    };
    // The cases above were inserted without a refresh: the models are stale and the facts answer.
    expect(await alertsSource(db, '2027-01-01')).toBe('facts');
    const facts = await answers();
    await refreshEpisodes(db, 'all');
    // No episode is discharged after these days: the open ones are those never discharged.
    expect(await alertsSource(db, '2027-01-01')).toBe('model_not_discharged');
    expect(await alertsSource(db, PROGRESS_AS_OF)).toBe('model_not_discharged');
    // A score is dated after as_of: the models' latest score may be later than as_of.
    expect(await alertsSource(db, '2026-02-03')).toBe('facts');
    const models = await answers();
    expect(models).toEqual(facts);
    expect(models[0]?.alerts.map((x) => x.episode_id)).toEqual(['A-outside', 'A-rc']);
    // As of 2026-02-10 the models answer, and A-closed (discharged 2026-02-20) is still open and alerts.
    expect(await alertsSource(db, '2026-02-10')).toBe('model');
    expect(models[AS_OFS.indexOf('2026-02-10') * SCOPES.length]?.alerts.map((x) => x.episode_id)).toContain('A-closed');
  });
});
