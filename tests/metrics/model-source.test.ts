import { beforeAll, describe, expect, it } from 'vitest';
import { computeMetric, metricSource, METRIC_NAMES, type MetricName } from '../../metrics/index';
import { GROUP_BY, parseFilters, type MetricFilters } from '../../metrics/filters';
import { sql } from 'kysely';
import { refreshEpisodes } from '../../warehouse/models/refresh';
import { useTestDatabase } from '../harness/database';
import { addEpisodes, addSessions, addTests, day } from './fixtures';
import { A, AS_OF, cohort, LAST_FACT, loadCohort } from './model-cohort';

/**
 * The models and the facts must give the same response (issue "Outcome metrics"): every
 * family, every stratification, with and without suppression, on a seeded cohort that
 * holds the awkward cases: sessions, tests and scores before admission and after
 * discharge, open episodes (some lost to follow-up), discharges after as_of, admissions
 * after as_of, prescribed/invalid/refused/missed tests, same-day self-reports of two
 * substances, weeks 16 and 17, follow-up scores past discharge + 14 days.
 */
const t = useTestDatabase();

function filters(raw: Record<string, unknown>): MetricFilters {
  const r = parseFilters({ as_of: AS_OF, ...raw });
  if (!r.ok) throw new Error(r.error.error);
  return r.filters;
}

async function bothWays(name: MetricName, f: MetricFilters, minCell: number): Promise<void> {
  const auto = await computeMetric(t.wh.db, name, f, { minCell });
  const facts = await computeMetric(t.wh.db, name, f, { minCell, source: 'facts' });
  expect(auto, `${name} ${JSON.stringify(f)}`).toEqual(facts);
}

beforeAll(async () => {
  const db = t.wh.db;
  await loadCohort(db, cohort(160));
  // Week 16 is the last of the weekly series; day 119 is week 17.
  await addEpisodes(db, [{ id: 'w16', admitted: day(A, 20), track: 'day' }]);
  await addSessions(db, 'w16', [[day(A, 20 + 118), 'attended'], [day(A, 20 + 119), 'attended']]);
  await addTests(db, 'w16', [{ on: day(A, 20 + 118), result: 'negative' }, { on: day(A, 20 + 119), result: 'positive' }]);
  await refreshEpisodes(db, 'all', AS_OF);
}, 120_000);

describe('metrics read from the models equal the same metrics read from the facts', () => {
  it('uses the models for every family when they are current and no fact is dated after as_of', async () => {
    for (const name of METRIC_NAMES) {
      expect(await metricSource(t.wh.db, name, filters({}))).toBe('model');
      // every discharge on or before as_of: the models summed in their rollups
      expect(await metricSource(t.wh.db, name, filters({ as_of: day(A, 400) }))).toBe('rollup');
    }
  });

  it('gives identical responses for every family and stratification, with and without suppression', async () => {
    for (const name of METRIC_NAMES) {
      for (const group_by of GROUP_BY) {
        for (const minCell of [0, 11]) await bothWays(name, filters({ group_by, period: 'quarter' }), minCell);
      }
    }
  });

  it('gives identical responses for track and admission-date filters, another instrument, and an as_of after every discharge', async () => {
    for (const name of METRIC_NAMES) {
      await bothWays(name, filters({ track: ['day', 'php'], from: day(A, -30), to: day(A, 100) }), 0);
      await bothWays(name, filters({ as_of: day(A, 400), group_by: 'period', period: 'month' }), 0);
    }
    await bothWays('symptoms', filters({ instrument: 'GAD-7', group_by: 'sex' }), 0);
  });

  it('reads the rollups when as_of follows every discharge, and gives the same responses', async () => {
    const later = day(A, 400);
    for (const name of METRIC_NAMES) {
      expect(await metricSource(t.wh.db, name, filters({ as_of: later }))).toBe('rollup');
      expect(await metricSource(t.wh.db, name, filters({ as_of: later, group_by: 'period' }))).toBe('rollup');
      // a discharge after as_of, or a stratum the rollups do not hold: every episode from the model
      expect(await metricSource(t.wh.db, name, filters({}))).toBe('model');
      expect(await metricSource(t.wh.db, name, filters({ as_of: later, group_by: 'sex' }))).toBe('model');
    }
    // both kinds of rollup row are exercised: rows summing several discharged episodes, and open episodes
    const { rows } = await sql<{ max_n: number; open: number }>`select (select max(n) from track_day_outcomes)::int as max_n,
      (select count(*) from episode_outcomes where discharged_on is null)::int as open`.execute(t.wh.db);
    expect(rows[0]?.max_n).toBeGreaterThan(1);
    expect(rows[0]?.open).toBeGreaterThan(10);
    for (const name of METRIC_NAMES) {
      // admission ranges that cut months at both ends, none, and only one (the count rollups' whole months, and the model for the rest)
      for (const raw of [{}, { group_by: 'period', period: 'month' }, { track: ['eve', 'php'], from: day(A, -30), to: day(A, 100) },
        { from: A, to: '2026-03-31' }, { from: day(A, 10), to: day(A, 40) }, { from: day(A, 20), group_by: 'period', period: 'month' }]) {
        for (const minCell of [0, 11]) await bothWays(name, filters({ as_of: later, ...raw }), minCell);
      }
    }
    await bothWays('symptoms', filters({ as_of: later, instrument: 'GAD-7' }), 0);
  });

  it('reads the facts for an as_of before the last fact, and for relapse options the model does not hold', async () => {
    expect(LAST_FACT > day(A, 90)).toBe(true);
    for (const name of ['retention', 'attendance', 'symptoms', 'relapse'] as const) {
      expect(await metricSource(t.wh.db, name, filters({ as_of: day(A, 90) }))).toBe('facts');
    }
    // Completion depends on no fact date, only on the episodes.
    expect(await metricSource(t.wh.db, 'completion', filters({ as_of: day(A, 90) }))).toBe('model');
    await bothWays('completion', filters({ as_of: day(A, 90) }), 0);
    expect(await metricSource(t.wh.db, 'relapse', filters({ substance: 'opioids' }))).toBe('facts');
    expect(await metricSource(t.wh.db, 'relapse', filters({ missing_as_positive: false }))).toBe('facts');
  });
});
