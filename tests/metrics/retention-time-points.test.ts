import { beforeAll, describe, expect, it } from 'vitest';
import { computeMetric } from '../../metrics/index';
import { parseFilters } from '../../metrics/filters';
import type { RetentionGroup } from '../../metrics/types';
import { useTestDatabase } from '../harness/database';
import { addEpisodes, day } from './fixtures';

const t = useTestDatabase();
const A = '2026-01-01';
const AS_OF = day(A, 200);

async function groups(raw: Record<string, unknown>): Promise<RetentionGroup[]> {
  const parsed = parseFilters({ as_of: AS_OF, ...raw });
  if (!parsed.ok) throw new Error(parsed.error.error);
  const r = await computeMetric(t.wh.db, 'retention', parsed.filters, { minCell: 0 });
  return r.groups.map((g) => {
    if (!('curve' in g)) throw new Error('suppressed group');
    return g;
  });
}

beforeAll(async () => {
  await addEpisodes(t.wh.db, [
    // 8-week track: every episode over by day 89.
    { id: 'e1', track: 'eight', admitted: A, discharged: day(A, 20), reason: 'dropped_out' },
    { id: 'e2', track: 'eight', admitted: A, discharged: day(A, 56), reason: 'completed' },
    { id: 'e3', track: 'eight', admitted: A, discharged: day(A, 89), reason: 'completed', sex: 'male' },
    // 6-week track, same sex as e1/e2: a female group mixes 8 and 6 weeks.
    { id: 's1', track: 'six', admitted: A, discharged: day(A, 42), reason: 'completed' },
    // A track with no planned length, whose one episode lasts to day 90.
    { id: 'n1', track: 'none', admitted: A, discharged: day(A, 90), reason: 'completed', sex: 'male' },
  ]);
  await t.wh.db.updateTable('tracks').set({ planned_weeks: 8 }).where('track_code', '=', 'eight').execute();
  await t.wh.db.updateTable('tracks').set({ planned_weeks: 6 }).where('track_code', '=', 'six').execute();
});

describe('retention time points (docs/metrics.md "Retention time points")', () => {
  it('gives no day-90 key when the last curve ends on day 89', async () => {
    const [g] = await groups({ track: 'eight' });
    expect(g?.curve.at(-1)?.day).toBe(89);
    expect(Object.keys(g?.retention_at ?? {}).sort()).toEqual(['30', '60', 'planned']);
  });

  it('gives day 90 in every group once one curve reaches day 90, null where a curve stops short', async () => {
    const all = await groups({ group_by: 'track' });
    for (const g of all) expect(g.retention_at).toHaveProperty('90');
    const eight = all.find((g) => g.key.track === 'eight');
    const none = all.find((g) => g.key.track === 'none');
    expect(eight?.retention_at['90']).toEqual({ survival: null, lower: null, upper: null });
    expect(none?.retention_at['90']?.survival).toBe(1);
  });

  it('reads the planned point at the track planned_weeks × 7, with its CI', async () => {
    const [g] = await groups({ track: 'eight' });
    // One dropout on day 20 among 3 at risk: S(56) = 2/3, as R survfit gives for this table.
    expect(g?.retention_at.planned?.day).toBe(56);
    expect(g?.retention_at.planned?.survival).toBeCloseTo(2 / 3, 12);
    expect(g?.retention_at.planned?.lower).not.toBeNull();
    expect(g?.retention_at.planned?.upper).toBe(1);
  });

  it('gives planned = null for a track whose planned_weeks is null', async () => {
    const all = await groups({ group_by: 'track' });
    expect(all.find((g) => g.key.track === 'none')?.retention_at.planned).toBeNull();
    expect(all.find((g) => g.key.track === 'six')?.retention_at.planned?.day).toBe(42);
  });

  it('in another grouping gives planned only when the group\'s tracks share one planned length', async () => {
    const bySex = await groups({ group_by: 'sex' });
    // female: e1, e2 (8 weeks) and s1 (6 weeks) → no single planned length; male: e3 (8) and n1 (null) → none either.
    expect(bySex.map((g) => [g.key.sex, g.retention_at.planned])).toEqual([['female', null], ['male', null]]);
    const eightBySex = await groups({ group_by: 'sex', track: 'eight' });
    expect(eightBySex.map((g) => [g.key.sex, g.retention_at.planned?.day])).toEqual([['female', 56], ['male', 56]]);
  });
});
