import { beforeAll, describe, expect, it } from 'vitest';
import { computeMetric } from '../../metrics/index';
import { parseFilters, type MetricFilters } from '../../metrics/filters';
import { cohensD } from '../../metrics/stats/effect-size';
import { meanWithTInterval, summarize } from '../../metrics/stats/t-interval';
import { wilson } from '../../metrics/stats/wilson';
import type { SymptomsGroup } from '../../metrics/types';
import { useTestDatabase } from '../harness/database';
import { addEpisodes, addScores, day, type EpisodeSpec } from './fixtures';

const t = useTestDatabase();
const A = '2026-01-01';

function filters(raw: Record<string, unknown>): MetricFilters {
  const r = parseFilters({ as_of: day(A, 200), ...raw });
  if (!r.ok) throw new Error(r.error.error);
  return r.filters;
}

async function group(raw: Record<string, unknown>): Promise<SymptomsGroup> {
  const r = await computeMetric(t.wh.db, 'symptoms', filters(raw), { minCell: 0 });
  return r.groups[0] as SymptomsGroup;
}

const PAIRS: [string, number, number][] = [['p1', 20, 8], ['p3', 15, 9], ['p4', 8, 16], ['p5', 10, 5], ['p6', 22, 12], ['p7', 6, 2]];

beforeAll(async () => {
  const db = t.wh.db;
  const episodes: EpisodeSpec[] = [
    ...['b15', 'b8', 'p1', 'p2', 'p4', 'p5', 'p6', 'p7'].map((id) => ({ id, admitted: A })),
    { id: 'p3', admitted: A, discharged: day(A, 30), reason: 'completed' },
    ...['h1', 'h2', 'h3', 'h4'].map((id) => ({ id, track: 'wb', admitted: A })),
  ];
  await addEpisodes(db, episodes);
  await addScores(db, 'b15', 'PHQ-9', [[day(A, -15), 20], [day(A, 30), 5]]); // −15 days: not a baseline
  await addScores(db, 'b8', 'PHQ-9', [[day(A, 8), 20], [day(A, 40), 5]]); // +8 days: not a baseline
  await addScores(db, 'p1', 'PHQ-9', [[day(A, -14), 20], [A, 8]]); // baseline −14, follow-up exactly 14 days later
  await addScores(db, 'p2', 'PHQ-9', [[day(A, 7), 12], [day(A, 20), 2]]); // 13 days after baseline: not a follow-up
  await addScores(db, 'p3', 'PHQ-9', [[A, 15], [day(A, 44), 9], [day(A, 45), 3]]); // discharged day 30: follow-up up to day 44
  for (const [id, b, f] of PAIRS.filter(([id]) => !['p1', 'p3'].includes(id))) await addScores(db, id, 'PHQ-9', [[A, b], [day(A, 30), f]]);
  await db.insertInto('instruments').values({
    code: 'WB', name: 'Wellbeing (higher is better)', min_score: 0, max_score: 25, higher_is_better: true,
    reliable_change_points: 5, clinical_cutoff: 13,
  }).execute();
  const wb: [string, number, number][] = [['h1', 10, 16], ['h2', 14, 20], ['h3', 16, 10], ['h4', 12, 14]];
  for (const [id, b, f] of wb) await addScores(db, id, 'WB', [[A, b], [day(A, 30), f]]);
});

describe('symptom change (docs/metrics.md "Symptom change")', () => {
  it('takes baselines from days −14…+7 and follow-ups ≥ 14 days later up to discharge + 14', async () => {
    const g = await group({ track: 'day' });
    expect(g.n).toBe(9);
    expect(g.with_baseline).toBe(7);
    expect(g.paired).toBe(6);
    expect(g.completeness).toBeCloseTo(6 / 7, 12);
    expect([...g.scatter].sort((a, b) => a.baseline - b.baseline)).toEqual(
      PAIRS.map(([, baseline, followup]) => ({ baseline, followup, n: 1 })).sort((a, b) => a.baseline - b.baseline));
  });

  it('computes means, the t-interval of the change and Cohen\'s d over the paired episodes', async () => {
    const g = await group({ track: 'day' });
    const changes = PAIRS.map(([, b, f]) => f - b);
    const ci = meanWithTInterval(changes);
    expect(g.baseline_mean).toBeCloseTo(81 / 6, 12);
    expect(g.followup_mean).toBeCloseTo(52 / 6, 12);
    expect(g.change_mean).toBeCloseTo(-29 / 6, 12);
    expect(g.change_ci?.[0]).toBeCloseTo(ci.lower ?? NaN, 10);
    expect(g.change_ci?.[1]).toBeCloseTo(ci.upper ?? NaN, 10);
    expect(g.cohens_d).toBeCloseTo(cohensD(-29 / 6, summarize(PAIRS.map(([, b]) => b)).sd) ?? NaN, 10);
  });

  it('classifies Jacobson–Truax classes with the PHQ-9 RC of 6 points (a change of exactly 6 is reliable)', async () => {
    const g = await group({ track: 'day' });
    expect(g.rc_threshold).toBe(6);
    // p1 20→8 and p3 15→9 recovered; p6 22→12 improved (still ≥ 10); p5 −5 and p7 −4 unchanged; p4 +8 deteriorated.
    expect(g.classes).toEqual({ recovered: 2, improved: 1, unchanged: 2, deteriorated: 1 });
  });

  it('counts response (follow-up ≤ 50% of baseline) and remission (follow-up < 5) with Wilson CIs', async () => {
    const g = await group({ track: 'day' });
    expect(g.response_rate).toBe(0.5); // p1 8 ≤ 10, p5 5 ≤ 5, p7 2 ≤ 3
    expect(g.response_ci).toEqual(wilson(3, 6));
    expect(g.remission_rate).toBeCloseTo(1 / 6, 12); // only p7; p5's 5 is not below 5
    expect(g.remission_ci).toEqual(wilson(1, 6));
  });

  it('classifies improvement as a rise when higher is better, recovered across the cutoff, and has no response rate', async () => {
    const r = await computeMetric(t.wh.db, 'symptoms', filters({ track: 'wb', instrument: 'WB' }), { minCell: 0 });
    const g = r.groups[0] as SymptomsGroup;
    expect(g.classes).toEqual({ recovered: 1, improved: 1, unchanged: 1, deteriorated: 1 });
    expect(g.response_rate).toBeNull();
    expect(r.definition).toMatchObject({ higher_is_better: true, clinical_cutoff: 13, remission_below: null });
  });

  it('honours as_of: scores after it are ignored, so follow-ups disappear', async () => {
    const g = await group({ track: 'day', as_of: day(A, 29) });
    expect(g.paired).toBe(1); // only p1 (follow-up on day 0)
    expect(g.with_baseline).toBe(7);
  });

  it('reports the weekly trajectory from admission, one mean per episode and week', async () => {
    const g = await group({ track: 'day' });
    const w0 = g.trajectory.find((p) => p.week === 0);
    expect(w0).toMatchObject({ n: 6, mean: 69 / 6 });
    expect(g.trajectory.every((p) => p.week >= 0 && p.week <= 16)).toBe(true);
    expect(g.trajectory.find((p) => p.week === 6)).toMatchObject({ n: 1, mean: 6 }); // p3's days 44 and 45 average to 6
  });
});
