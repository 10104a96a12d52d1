import { beforeAll, describe, expect, it } from 'vitest';
import { computeMetric } from '../../metrics/index';
import { parseFilters, type MetricFilters } from '../../metrics/filters';
import type { RetentionGroup } from '../../metrics/types';
import { useTestDatabase } from '../harness/database';
import { addEpisodes, addSessions, day } from './fixtures';

const t = useTestDatabase();
const A = '2026-01-01';

function filters(raw: Record<string, unknown>): MetricFilters {
  const r = parseFilters(raw);
  if (!r.ok) throw new Error(r.error.error);
  return r.filters;
}

async function curve(asOf: string): Promise<RetentionGroup> {
  const r = await computeMetric(t.wh.db, 'retention', filters({ as_of: asOf }), { minCell: 0 });
  const g = r.groups[0];
  if (!g || !('curve' in g)) throw new Error('no group');
  return g;
}

beforeAll(async () => {
  await addEpisodes(t.wh.db, [
    { id: 'drop', admitted: A, discharged: day(A, 20), reason: 'against_advice' },
    { id: 'done', admitted: A, discharged: day(A, 40), reason: 'completed' },
    // Open; last attended on day 10: lost to follow-up once as_of is more than 30 days later.
    { id: 'lost', admitted: A },
    // Open; attends on days 20, 50 and 70.
    { id: 'open', admitted: A },
    // Admitted after the early as_of: not in that cohort.
    { id: 'late', admitted: day(A, 45), discharged: day(A, 60), reason: 'terminated' },
  ]);
  await addSessions(t.wh.db, 'lost', [[day(A, 3), 'attended'], [day(A, 10), 'attended'], [day(A, 30), 'no_show']]);
  await addSessions(t.wh.db, 'open', [[day(A, 20), 'attended'], [day(A, 50), 'attended'], [day(A, 70), 'attended']]);
});

describe('retention: events, censoring, lost to follow-up and as_of (docs/metrics.md "Retention")', () => {
  it('as of day 41: the open episode last seen on day 10 is still only censored (31 days > 30 makes it lost)', async () => {
    const g = await curve(day(A, 40));
    // as_of − last attended = 30: not more than 30, so censored at day 40.
    expect(g.n).toBe(4);
    expect(g.curve.map((c) => [c.day, c.events, c.censored])).toEqual([[20, 1, 0], [40, 0, 3]]);
  });

  it('one day later the episode is a dropout at its last attended day (10), and no-shows do not count as seen', async () => {
    const g = await curve(day(A, 41));
    expect(g.curve.map((c) => [c.day, c.events, c.censored])).toEqual([[10, 1, 0], [20, 1, 0], [40, 0, 1], [41, 0, 1]]);
  });

  it('ignores sessions after as_of and episodes admitted after it; a discharge after as_of leaves the episode open', async () => {
    const g = await curve(day(A, 50));
    // 'open' attended on day 50 (= as_of) → censored at 50; 'late' (admitted day 45, discharged day 60) is open on day 50: censored at 5.
    expect(g.n).toBe(5);
    expect(g.curve.map((c) => [c.day, c.events, c.censored])).toEqual([[5, 0, 1], [10, 1, 0], [20, 1, 0], [40, 0, 1], [50, 0, 1]]);
  });

  it('counts a terminated discharge as an event once it lies on or before as_of', async () => {
    const g = await curve(day(A, 100));
    // 'open' last attended day 70, 30 days before day 100: censored at 100. 'late' terminated at its day 15.
    expect(g.curve.map((c) => [c.day, c.events, c.censored])).toEqual([[10, 1, 0], [15, 1, 0], [20, 1, 0], [40, 0, 1], [100, 0, 1]]);
    expect(g.events).toBe(3);
  });
});
