import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import '../../metrics/measures/model-build';
import { measureModelAnswers, measureSource } from '../../metrics/measures/model';
import { parseMeasureRequest } from '../../metrics/measures/request';
import { runMeasure } from '../../metrics/measures/run';
import { MEASURE_NAMES } from '../../metrics/measures/spec';
import type { MeasureResponse } from '../../metrics/measures/schema';
import { refreshEpisodes } from '../../warehouse/models/refresh';
import { useTestDatabase } from '../harness/database';
import { addEpisodes, addScores, addSessions, clearFacts, day, type EpisodeSpec } from '../metrics/fixtures';
import { prng } from '../metrics/model-cohort';
import { csv, ingestText } from '../ingest/helpers';

/**
 * The per-episode measure model (metrics/measures/model.ts) answers exactly as the facts:
 * over generated cohorts with every kind of fact the measures read (sessions, PHQ-9 scores
 * in and out of episodes, diagnoses, first contacts, evaluations, deaths, intake and
 * follow-up interviews of every status), every measure, grouping and filter, as of the
 * latest fact and later (windows closing in between), gives the same response read from
 * the model and read from the facts (the models marked stale). Before the latest fact,
 * the model does not answer.
 */
const t = useTestDatabase();
const A = '2025-01-01';
const CODES = [['F32.1'], ['F33.0', 'F41.1'], ['F31.9', 'F32.1'], ['F34.1'], null, ['F20.9']];

async function loadCohort(seed: number): Promise<void> {
  const db = t.wh.db;
  await sql`delete from followups`.execute(db);
  await clearFacts(db);
  await sql`insert into sites (site_code, name) values ('north', 'North'), ('south', 'South') on conflict do nothing`.execute(db);
  const rand = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const eps: EpisodeSpec[] = [];
  for (let i = 0; i < 40; i++) {
    const start = int(0, 300);
    const end = rand() < 0.6 ? start + int(0, 90) : null;
    eps.push({
      id: `m${i}`, track: pick(['day', 'eve']), admitted: day(A, start),
      firstContact: rand() < 0.8 ? day(A, start - int(0, 25)) : null,
      discharged: end === null ? null : day(A, end), reason: end === null ? null : pick(['completed', 'died', 'dropped_out']),
      substance: pick(['alcohol', 'none', '', null, 'opioids']), sex: pick(['female', 'male', null]), birthYear: pick([1980, 2008, 2012, null]),
    });
  }
  await addEpisodes(db, eps);
  for (const e of eps) {
    const base = (new Date(`${e.admitted}T00:00:00Z`).getTime() - new Date(`${A}T00:00:00Z`).getTime()) / 86_400_000;
    await sql`update episodes set diagnoses = ${pick(CODES)}::text[], site_code = ${pick(['north', 'south', null])},
      evaluated_on = case when ${rand() < 0.6} then least(first_contact_on + ${int(0, 9)}::int, admitted_on) end where episode_id = ${e.id}`.execute(db);
    const days = [...new Set(Array.from({ length: int(0, 14) }, () => base + int(-3, 60)))];
    await addSessions(db, e.id, days.map((d) => [day(A, d), pick(['attended', 'attended', 'no_show', 'cancelled'] as const)]));
    const scored = [...new Set([base + int(-10, 10), ...Array.from({ length: int(0, 5) }, () => base + int(0, 60))])];
    await addScores(db, e.id, 'PHQ-9', scored.map((d) => [day(A, d), int(5, 27)]));
    // Outcome scores months later, linked to no episode (the depression measures read the patient's).
    const later = [...new Set(Array.from({ length: int(0, 3) }, () => base + int(150, 420)))];
    if (later.length > 0) {
      await db.insertInto('assessments').values(later.map((d) => ({
        patient_id: `P-${e.id}`, instrument: 'PHQ-9', administered_on: day(A, d), total_score: int(0, 20), episode_id: null,
      }))).execute();
    }
    if (rand() < 0.7) {
      const answers = () => [pick([0, 3, null]), pick([true, false, null]), pick([true, false]), pick([true, false, null]), pick([true, false])];
      const interview = async (type: string, on: number, status: string) => {
        const a = status === 'completed' ? answers() : [null, null, null, null, null];
        await sql`insert into followups (patient_id, interview_type, interviewed_on, status, episode_id,
            days_used_past_30, employed_or_in_school, stable_housing, arrested_past_30, socially_connected)
          values (${`P-${e.id}`}, ${type}, ${day(A, on)}, ${status}, ${e.id}, ${a[0]}, ${a[1]}, ${a[2]}, ${a[3]}, ${a[4]})`.execute(db);
      };
      await interview('intake', base + int(0, 5), 'completed');
      if (rand() < 0.8) await interview('followup_6m', base + int(140, 260), pick(['completed', 'completed', 'refused', 'not_located', 'deceased']));
    }
  }
}

const GROUPINGS: Record<string, unknown>[] = [
  { group_by: 'track' }, { group_by: 'site,sex' }, { group_by: 'age_band' }, { group_by: 'period', period: 'quarter' },
  { group_by: 'track', sex: ['female', 'unknown'], from: '2025-03-01', to: '2025-09-30' }, { group_by: 'substance', age_band: ['18-25', '26-34', '35-44', '45-54'] },
];

async function answer(name: string, asOf: string, raw: Record<string, unknown>, minCell = 3): Promise<MeasureResponse> {
  const parsed = parseMeasureRequest(name, { as_of: asOf, ...raw });
  if (!parsed.ok) throw new Error(parsed.error.error);
  return runMeasure(t.wh.db, parsed.request.spec, parsed.request.ctx, { minCell, rows: false });
}

describe('the measure model answers as the facts', () => {
  it('every measure, grouping and as_of on or after the latest fact (fast-check)', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
      await loadCohort(seed);
      await t.wh.db.transaction().execute((trx) => refreshEpisodes(trx, 'all'));
      const through = (await sql<{ d: string }>`select measures_through::text as d from model_state`.execute(t.wh.db)).rows[0]?.d;
      if (!through) throw new Error('no measures_through after a refresh');
      const asOfs = [through, day(through, 20), day(through, 75), day(through, 240)];
      const names = MEASURE_NAMES;
      const fromModel: MeasureResponse[] = [];
      for (const asOf of asOfs) {
        const parsed = parseMeasureRequest('dep-rem-6', { as_of: asOf });
        if (!parsed.ok) throw new Error(parsed.error.error);
        expect(await measureModelAnswers(t.wh.db, parsed.request.ctx)).toBe(true);
        expect(await measureSource(t.wh.db, parsed.request.ctx)).toBe('rollup');
        for (const name of names) for (const g of GROUPINGS) fromModel.push(await answer(name, asOf, g));
      }
      const before = parseMeasureRequest('dep-rem-6', { as_of: day(through, -1) });
      if (!before.ok) throw new Error(before.error.error);
      expect(await measureModelAnswers(t.wh.db, before.request.ctx)).toBe(false);

      await sql`update model_state set stale = true`.execute(t.wh.db);
      const fromFacts: MeasureResponse[] = [];
      for (const asOf of asOfs) for (const name of names) for (const g of GROUPINGS) fromFacts.push(await answer(name, asOf, g));
      expect(JSON.stringify(fromModel)).toBe(JSON.stringify(fromFacts));
      // The cohort is not trivial: every measure has an initial population.
      for (const name of names) {
        const r = fromFacts[names.indexOf(name) * GROUPINGS.length];
        expect(r?.groups.length, name).toBeGreaterThan(0);
      }
    }), { numRuns: 3, seed: 2026 });
  });

  it('ingesting interviews and scores keeps it current, by patient', async () => {
    const db = t.wh.db;
    await sql`delete from followups`.execute(db);
    await clearFacts(db);
    const FOLLOWUPS = 'patient_id,interview_type,interviewed_on,status,episode_id,days_used_past_30,employed_or_in_school,stable_housing,arrested_past_30,socially_connected';
    await ingestText(t.wh, 'tracks', csv('track_code,name', 'T1,Evening IOP'));
    await ingestText(t.wh, 'patients', csv('patient_id,birth_year', 'PA,1980', 'PB,1985'));
    await ingestText(t.wh, 'episodes', csv('episode_id,patient_id,track_code,admitted_on,discharged_on,discharge_reason,diagnoses',
      'EA1,PA,T1,2024-01-10,2024-02-20,completed,F32.1', 'EB1,PB,T1,2024-01-12,2024-03-01,completed,F32.1'));
    await ingestText(t.wh, 'assessments', csv('patient_id,instrument,administered_on,total_score,episode_id',
      'PA,PHQ-9,2024-01-10,18,EA1', 'PB,PHQ-9,2024-01-12,15,EB1'));
    await ingestText(t.wh, 'followups', csv(FOLLOWUPS,
      'PA,intake,2024-01-10,completed,,12,no,yes,no,yes', 'PB,intake,2024-01-12,completed,,3,no,no,no,yes'));
    // Current from here on (the facts were cleared by hand above): each ingest below refreshes only what it touched.
    await t.wh.db.transaction().execute((trx) => refreshEpisodes(trx, 'all'));
    const read = async (name: string, asOf: string) => {
      const parsed = parseMeasureRequest(name, { as_of: asOf });
      if (!parsed.ok) throw new Error(parsed.error.error);
      expect(await measureSource(db, parsed.request.ctx), `${name} as of ${asOf}`).toBe('rollup');
      const model = await answer(name, asOf, {}, 0);
      await sql`update model_state set stale = true`.execute(db);
      expect(JSON.stringify(model), `${name} as of ${asOf}`).toBe(JSON.stringify(await answer(name, asOf, {}, 0)));
      await t.wh.db.transaction().execute((trx) => refreshEpisodes(trx, 'all'));
      return model;
    };
    const labelsOf = (r: MeasureResponse) => r.groups.map((g) => ('labels' in g ? g.labels : null));
    expect(labelsOf(await read('followup-6m', '2024-03-01'))[0]).toMatchObject({ window_open: 2 });
    // (The test ingest date is 2025-06-30.) A completed follow-up and a score in the remission window, each linked to no episode by the file.
    await ingestText(t.wh, 'followups', csv(FOLLOWUPS, 'PA,followup_6m,2024-07-15,completed,,0,yes,yes,no,yes'));
    await ingestText(t.wh, 'assessments', csv('patient_id,instrument,administered_on,total_score,episode_id', 'PB,PHQ-9,2024-07-20,3,'));
    const mid = await read('followup-6m', '2024-07-20');
    expect(labelsOf(mid)[0]).toMatchObject({ completed: 1, window_open: 1 });
    expect(labelsOf(await read('dep-rem-6', '2024-09-30'))[0]).toMatchObject({ remission: 1, no_follow_up: 1 });
    // A deceased interview excludes PB from both.
    await ingestText(t.wh, 'followups', csv(FOLLOWUPS, 'PB,followup_6m,2024-08-01,deceased,,,,,,'));
    expect(labelsOf(await read('followup-6m', '2024-10-01'))[0]).toMatchObject({ completed: 1, excluded: 1 });
  });

  it('a partial refresh leaves the model as a full one builds it', async () => {
    await loadCohort(7);
    await t.wh.db.transaction().execute((trx) => refreshEpisodes(trx, 'all'));
    // A later score of one patient (linked to no episode) and a deceased interview of another.
    await sql`insert into assessments (patient_id, instrument, administered_on, total_score, episode_id)
      values ('P-m3', 'PHQ-9', '2026-03-02', 2, null)`.execute(t.wh.db);
    await sql`insert into followups (patient_id, interview_type, interviewed_on, status, episode_id)
      values ('P-m5', 'followup_6m', '2025-12-01', 'deceased', 'm5')`.execute(t.wh.db);
    await t.wh.db.transaction().execute((trx) => refreshEpisodes(trx, ['m3', 'm5']));
    const through = (await sql<{ d: string }>`select measures_through::text as d from model_state`.execute(t.wh.db)).rows[0]?.d;
    if (!through) throw new Error('no measures_through after a refresh');
    // open_until is kept only while the window is open as of the day the rows were computed for.
    const snapshot = () => sql`select measure, episode_id, closed_label, stats::text, index_date::text,
        case when open_until > ${through}::date then open_until end::text as open_until
      from episode_measure_rows order by measure, episode_id`.execute(t.wh.db).then((r) => r.rows);
    const partial = await snapshot();
    const answers = async () => {
      const out: MeasureResponse[] = [];
      for (const name of MEASURE_NAMES) for (const g of GROUPINGS.slice(0, 2)) out.push(await answer(name, through, g));
      return JSON.stringify(out);
    };
    const partialAnswers = await answers();
    await sql`update model_state set stale = true`.execute(t.wh.db);
    expect(partialAnswers).toBe(await answers());
    await t.wh.db.transaction().execute((trx) => refreshEpisodes(trx, 'all'));
    expect(partial).toEqual(await snapshot());
    expect(through).toBe((await sql<{ d: string }>`select measures_through::text as d from model_state`.execute(t.wh.db)).rows[0]?.d);
    expect(partialAnswers).toBe(await answers());
  });
});
