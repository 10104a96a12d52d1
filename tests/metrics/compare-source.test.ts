import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareEpisodes, compareSource } from '../../metrics/compare/episodes';
import { computeComparison, parseCompare, COMPARE_BY, type CompareRequest } from '../../metrics/compare/index';
import { EPISODE_OUTCOMES } from '../../metrics/compare/request';
import { refreshEpisodes } from '../../warehouse/models/refresh';
import { useTestDatabase } from '../harness/database';
import { day } from './fixtures';
import { A, AS_OF, cohort, loadCohort } from './model-cohort';

/**
 * A comparison read from the models equals the same comparison read from the facts
 * (docs/comparisons.md, docs/metrics.md "Models and as_of"): every outcome, unit and
 * equity group, with and without the baseline, with and without suppression, on the
 * seeded cohort of the models-versus-facts test (open episodes, discharges and
 * admissions after as_of, facts outside the episode, follow-ups past discharge + 14 days),
 * with clinicians, sites, races and ethnicities spread over it, some missing.
 */
const t = useTestDatabase();

function request(outcome: string, raw: Record<string, unknown>): CompareRequest {
  const r = parseCompare(outcome, { as_of: AS_OF, ...raw });
  if (!r.ok) throw new Error(r.error.error);
  return r.request;
}

async function bothWays(outcome: string, raw: Record<string, unknown>, minCell: number): Promise<void> {
  const req = request(outcome, raw);
  const facts = await computeComparison(t.wh.db, req, minCell, { source: 'facts' });
  const model = await computeComparison(t.wh.db, req, minCell, { source: 'model' });
  expect(model, `${outcome} ${JSON.stringify(raw)} min_cell ${minCell}`).toEqual(facts);
}

beforeAll(async () => {
  const db = t.wh.db;
  await loadCohort(db, cohort(160));
  await sql`insert into sites (site_code, name) values ('north', 'North'), ('south', 'South')`.execute(db);
  await sql`insert into clinicians (clinician_id, name) select 'c' || i, 'C' || i from generate_series(1, 6) i`.execute(db);
  // Uneven caseloads and some episodes without a clinician or site; races with an empty
  // value and a null (both the group `unknown`), and two ethnicities.
  await sql`update episodes set
    clinician_id = case when substr(episode_id, 2)::int % 9 = 0 then null else 'c' || (1 + (substr(episode_id, 2)::int * substr(episode_id, 2)::int) % 6) end,
    site_code = case substr(episode_id, 2)::int % 5 when 0 then null when 1 then 'south' else 'north' end`.execute(db);
  await sql`update patients set
    race = case substr(patient_id, 4)::int % 7 when 0 then null when 1 then '' when 2 then 'Black' when 3 then 'Asian' else 'White' end,
    ethnicity = case when substr(patient_id, 4)::int % 3 = 0 then 'Hispanic' else 'Not Hispanic' end`.execute(db);
  await refreshEpisodes(db, 'all', AS_OF);
}, 120_000);

describe('comparisons read from the models equal the same comparisons read from the facts', () => {
  it('reads the models when they are current and no fact the comparison reads is dated after as_of', async () => {
    const db = t.wh.db;
    const f = request('completion', {}).filters;
    for (const outcome of EPISODE_OUTCOMES) expect(await compareSource(db, outcome, true, f)).toBe('model');
    // An as_of before the last session, score and test: only completion and positive discharge without the baseline read no fact.
    const past = request('completion', { as_of: day(A, 90) }).filters;
    expect(await compareSource(db, 'completion', false, past)).toBe('model');
    expect(await compareSource(db, 'positive_discharge', false, past)).toBe('model');
    expect(await compareSource(db, 'completion', true, past)).toBe('facts');
    for (const outcome of ['engagement', 'remission', 'abstinence'] as const) expect(await compareSource(db, outcome, false, past)).toBe('facts');
  });

  it('returns the same rows in the same order for every outcome and unit', async () => {
    for (const outcome of EPISODE_OUTCOMES) {
      for (const by of COMPARE_BY) {
        const f = request(outcome, {}).filters;
        const facts = await compareEpisodes(t.wh.db, outcome, by, f, outcome === 'remission' ? 5 : null, 'facts');
        const model = await compareEpisodes(t.wh.db, outcome, by, f, outcome === 'remission' ? 5 : null, 'model');
        expect(facts.length, `${outcome} by ${by}`).toBeGreaterThan(10);
        expect(model, `${outcome} by ${by}`).toEqual(facts);
      }
    }
  });

  it('gives identical responses for every outcome, unit and covariate set, with and without suppression', async () => {
    for (const outcome of EPISODE_OUTCOMES) {
      for (const by of COMPARE_BY) {
        for (const adjust_for of ['baseline,age,sex,substance', 'age,sex', 'none']) {
          for (const minCell of [0, 11]) await bothWays(outcome, { by, adjust_for }, minCell);
        }
      }
    }
  });

  it('gives identical responses for track and admission-date filters, another instrument, overdispersion and a later as_of', async () => {
    for (const outcome of EPISODE_OUTCOMES) {
      await bothWays(outcome, { by: 'clinician', track: ['day', 'php'], from: day(A, -30), to: day(A, 100) }, 0);
      await bothWays(outcome, { by: 'site', as_of: day(A, 400), overdispersion: 'multiplicative' }, 0);
      await bothWays(outcome, { by: 'race', instrument: 'GAD-7' }, 0);
    }
    await bothWays('remission', { by: 'clinician', instrument: 'GAD-7', overdispersion: 'additive' }, 0);
  });

  it('falls back to the facts after a change the models have not seen, and a refresh carries the new clinician', async () => {
    const db = t.wh.db;
    const f = request('completion', {}).filters;
    await sql`update episodes set clinician_id = 'c1' where episode_id = 'm009'`.execute(db);
    expect(await compareSource(db, 'completion', false, f)).toBe('facts');
    await refreshEpisodes(db, ['m009'], AS_OF);
    // The refresh ran outside the change's transaction: the models stay stale until a full one.
    await refreshEpisodes(db, 'all', AS_OF);
    expect(await compareSource(db, 'completion', false, f)).toBe('model');
    const { rows } = await sql<{ clinician_id: string }>`select clinician_id from episode_outcomes where episode_id = 'm009'`.execute(db);
    expect(rows).toEqual([{ clinician_id: 'c1' }]);
    await bothWays('completion', { by: 'clinician' }, 0);
  });
});
