import { beforeAll, describe, expect, it } from 'vitest';
import { computeMetric, metricSource, METRIC_NAMES, type MetricName } from '../../metrics/index';
import { GROUP_BY, parseFilters, type MetricFilters } from '../../metrics/filters';
import { sql } from 'kysely';
import { refreshEpisodes } from '../../warehouse/models/refresh';
import { useTestDatabase } from '../harness/database';
import { addEpisodes, addScores, addSessions, addTests, day, type EpisodeSpec, type TestSpec } from './fixtures';

/**
 * The models and the facts must give the same response (issue "Outcome metrics"): every
 * family, every stratification, with and without suppression, on a seeded cohort that
 * holds the awkward cases: sessions, tests and scores before admission and after
 * discharge, open episodes (some lost to follow-up), discharges after as_of, admissions
 * after as_of, prescribed/invalid/refused/missed tests, same-day self-reports of two
 * substances, weeks 16 and 17, follow-up scores past discharge + 14 days.
 */
const t = useTestDatabase();
const A = '2026-01-01';
const AS_OF = day(A, 150);
/** The last fact date of the cohort: a later as_of may read the models. */
const LAST_FACT = day(A, 150);

/** mulberry32: a small seeded PRNG, so the cohort is the same on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = prng(20261123);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

const REASONS = ['completed', 'transferred', 'dropped_out', 'against_advice', 'terminated', 'other'] as const;
const STATUSES = ['attended', 'attended', 'attended', 'no_show', 'cancelled', 'excused'] as const;
const RESULTS = ['negative', 'negative', 'negative', 'positive', 'refused', 'missed', 'invalid'] as const;

interface Cohort {
  episodes: EpisodeSpec[];
  sessions: Map<string, [string, (typeof STATUSES)[number]][]>;
  tests: Map<string, TestSpec[]>;
  scores: Map<string, [string, [string, number][]][]>;
}

function cohort(n: number): Cohort {
  const out: Cohort = { episodes: [], sessions: new Map(), tests: new Map(), scores: new Map() };
  for (let i = 0; i < n; i++) {
    const id = `m${String(i).padStart(3, '0')}`;
    const start = int(-60, 140);
    const kind = rand();
    // Closed within the cohort's window, closed after as_of, or open.
    const end = kind < 0.55 ? Math.min(start + int(0, 120), 150) : kind < 0.7 ? start + int(151 - start, 260 - start) : null;
    out.episodes.push({
      id, track: pick(['day', 'eve', 'php']), admitted: day(A, start),
      discharged: end === null ? null : day(A, end), reason: end === null ? null : pick(REASONS),
      substance: pick(['alcohol', 'Opioids', 'stimulants', null, '']), sex: pick(['female', 'male', 'other', null]),
      birthYear: pick([1950, 1970, 1985, 1995, 2000, 2010, null]),
    });
    const last = Math.min(end ?? 150, 150);
    const days = (from: number, to: number, k: number) => [...new Set(Array.from({ length: k }, () => int(from, to)))].filter((d) => d <= 150).sort((x, y) => x - y);
    const sessionDays = days(start - 5, last + 10, int(0, 40));
    out.sessions.set(id, sessionDays.flatMap((d) => Array.from({ length: rand() < 0.15 ? 2 : 1 }, () => [day(A, d), pick(STATUSES)] as [string, (typeof STATUSES)[number]])));
    const tests: TestSpec[] = days(start - 20, last + 10, int(0, 14)).map((d) => ({
      on: day(A, d), result: pick(RESULTS), prescribed: rand() < 0.1, substance: 'opioids',
    }));
    for (const d of days(start - 20, last + 5, int(0, 4))) {
      tests.push({ on: day(A, d), result: 'positive', method: 'self_report', substance: 'alcohol', daysUsed: int(0, 30) });
      if (rand() < 0.4) tests.push({ on: day(A, d), result: 'negative', method: 'self_report', substance: 'opioids', daysUsed: int(0, 30) });
    }
    out.tests.set(id, tests);
    out.scores.set(id, (['PHQ-9', 'GAD-7'] as const).map((ins) => [ins, days(start - 20, last + 30, int(0, 8)).map((d) => [day(A, d), int(0, 21)] as [string, number])]));
  }
  return out;
}

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
  const c = cohort(160);
  await addEpisodes(db, c.episodes);
  // First contacts (the IET index date) 0–20 days before admission for about 80% of episodes, from a
  // stream of their own so the cohort above stays the same.
  const contact = prng(20261206);
  for (const e of c.episodes) {
    if (contact() < 0.8) await sql`update episodes set first_contact_on = admitted_on - ${Math.floor(contact() * 21)}::int where episode_id = ${e.id}`.execute(db);
  }
  for (const e of c.episodes) {
    await addSessions(db, e.id, c.sessions.get(e.id) ?? []);
    await addTests(db, e.id, c.tests.get(e.id) ?? []);
    for (const [ins, scores] of c.scores.get(e.id) ?? []) await addScores(db, e.id, ins, scores);
  }
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
