import { beforeAll, describe, expect, it } from 'vitest';
import { computeMetric } from '../../metrics/index';
import { parseFilters, type MetricFilters } from '../../metrics/filters';
import { wilson } from '../../metrics/stats/wilson';
import type { RelapseGroup } from '../../metrics/types';
import { useTestDatabase } from '../harness/database';
import { addEpisodes, addTests, day } from './fixtures';

const t = useTestDatabase();
const A = '2026-01-01';

async function group(raw: Record<string, unknown>): Promise<RelapseGroup> {
  const parsed = parseFilters({ as_of: day(A, 200), track: 'day', ...raw });
  if (!parsed.ok) throw new Error(parsed.error.error);
  const filters: MetricFilters = parsed.filters;
  const r = await computeMetric(t.wh.db, 'relapse', filters, { minCell: 0 });
  return r.groups[0] as RelapseGroup;
}

beforeAll(async () => {
  const db = t.wh.db;
  await addEpisodes(db, [
    { id: 'r1', substance: 'opioids', admitted: A, discharged: day(A, 60), reason: 'completed' },
    { id: 'r2', substance: 'opioids', admitted: A, discharged: day(A, 30), reason: 'dropped_out' },
    { id: 'r3', substance: 'opioids', admitted: A },
    { id: 'r4', substance: 'opioids', admitted: A, discharged: day(A, 50), reason: 'completed' },
    { id: 'r5', substance: 'opioids', admitted: A, discharged: day(A, 100), reason: 'completed' },
    { id: 's6', track: 'sr', admitted: A },
    { id: 's7', track: 'sr', admitted: A },
  ]);
  await addTests(db, 'r1', [
    { on: day(A, 1), result: 'positive' }, // before the first negative: not a relapse
    { on: day(A, 5), result: 'negative' },
    { on: day(A, 10), result: 'positive', prescribed: true }, // prescribed: ignored
    { on: day(A, 12), result: 'invalid' }, // ignored
    { on: day(A, 20), result: 'refused' }, // counts as positive: relapse on day 20
    { on: day(A, 40), result: 'negative' },
    { on: day(A, 50), result: 'negative' },
  ]);
  await addTests(db, 'r2', [{ on: day(A, 2), result: 'negative' }, { on: day(A, 9), result: 'negative' }, { on: day(A, 29), result: 'missed' }]);
  await addTests(db, 'r3', [{ on: day(A, 3), result: 'positive' }, { on: day(A, 10), result: 'positive' }]);
  await addTests(db, 'r4', [{ on: day(A, 7), result: 'negative' }, { on: day(A, 21), result: 'negative' }, { on: day(A, 35), result: 'positive', prescribed: true }]);
  await addTests(db, 'r5', [
    { on: day(A, -3), result: 'negative' }, // before admission: not counted
    { on: day(A, 4), result: 'negative' },
    { on: day(A, 8), result: 'positive', substance: 'alcohol' },
    { on: day(A, 80), result: 'negative' },
    { on: day(A, 101), result: 'positive' }, // after discharge: not counted
  ]);
  await addTests(db, 's6', [
    { on: day(A, -3), result: 'positive', method: 'self_report', daysUsed: 20 },
    { on: day(A, 2), result: 'positive', method: 'self_report', daysUsed: 15 },
    { on: day(A, 60), result: 'positive', method: 'self_report', daysUsed: 4 },
  ]);
  await addTests(db, 's7', [{ on: day(A, 1), result: 'positive', method: 'self_report', daysUsed: 10 }]);
});

describe('relapse and abstinence (docs/metrics.md "Relapse and abstinence")', () => {
  it('pools counted tests: prescribed positives and invalid ignored, refused and missed positive, only within the episode', async () => {
    const g = await group({});
    expect([g.tests, g.negative]).toEqual([15, 9]);
    expect(g.abstinence_rate).toBeCloseTo(9 / 15, 12);
    expect(g.abstinence_ci).toEqual(wilson(9, 15));
  });

  it('counts a relapse only for a positive after the first negative', async () => {
    const g = await group({});
    // r1 (refused on day 20), r2 (missed on day 29), r5 (alcohol on day 8); r3 has no negative; r4's positive was prescribed.
    expect([g.with_negative, g.relapsed, g.relapse_rate]).toEqual([4, 3, 0.75]);
  });

  it('runs KM from the first negative: event at the first later positive, censored at the last test', async () => {
    const g = await group({});
    expect(g.curve.map((c) => [c.day, c.events, c.censored])).toEqual([[4, 1, 0], [14, 0, 1], [15, 1, 0], [27, 1, 0]]);
    expect(g.events).toBe(3);
  });

  it('rates end-of-treatment abstinence over discharged episodes with tests in their last 28 days', async () => {
    const g = await group({});
    // r1 (days 40, 50 negative) and r5 (day 80) abstinent; r2's missed test on day 29 is not; r4 has no test in days 23–50.
    expect([g.eot_episodes, g.eot_abstinent]).toEqual([3, 2]);
  });

  it('with missing_as_positive false, refused and missed tests are ignored', async () => {
    const g = await group({ missing_as_positive: 'false' });
    expect([g.tests, g.negative, g.relapsed]).toEqual([13, 9, 1]);
  });

  it('restricts episodes to the requested primary substance and tests to that substance', async () => {
    const g = await group({ substance: 'Opioids' });
    expect([g.n, g.tests, g.relapsed]).toEqual([5, 14, 2]);
    // no episode's primary substance is alcohol: no group, although r5 has an alcohol test
    const parsed = parseFilters({ as_of: day(A, 200), track: 'day', substance: 'alcohol' });
    if (!parsed.ok) throw new Error(parsed.error.error);
    expect((await computeMetric(t.wh.db, 'relapse', parsed.filters, { minCell: 0 })).groups).toEqual([]);
  });

  it('averages self-reported days used at intake and latest, with the change where the latest follows the intake', async () => {
    const g = await group({ track: 'sr' });
    expect(g.self_report).toMatchObject({ intake_n: 2, intake_mean: 15, latest_n: 2, latest_mean: 7, change_n: 1, change_mean: -16 });
  });
});
