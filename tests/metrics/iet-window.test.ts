import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeMetric } from '../../metrics/index';
import { parseFilters, type MetricFilters } from '../../metrics/filters';
import type { AttendanceGroup } from '../../metrics/types';
import { refreshEpisodes } from '../../warehouse/models/refresh';
import { useTestDatabase } from '../harness/database';
import { addEpisodes, addSessions, day } from './fixtures';

/**
 * The IET windows of docs/metrics.md "Attendance and engagement" (HEDIS IET, program
 * adaptation): initiation on days 0–13 counted from the first contact, else the admission;
 * engagement = attended sessions on 2 further distinct days from the day after the
 * initiation session through 34 days after it. Each pair below sits on one side of a
 * boundary, so moving any boundary by one day changes an expectation.
 */
const t = useTestDatabase();
const A = '2026-01-01';
const AS_OF = day(A, 200);

beforeAll(async () => {
  const db = t.wh.db;
  await addEpisodes(db, [
    // first contact on A, admitted 5 days later: days count from the first contact
    { id: 'fc13', admitted: day(A, 5), firstContact: A },
    { id: 'fc14', admitted: day(A, 5), firstContact: A },
    // no first contact: days count from the admission
    { id: 'ad13', admitted: A },
    { id: 'ad14', admitted: A },
    { id: 'same', admitted: A },
    { id: 'eng34', admitted: A },
    { id: 'eng35', admitted: A },
    { id: 'fceng', admitted: day(A, 3), firstContact: A },
  ]);
  await addSessions(db, 'fc13', [[day(A, 13), 'attended']]);
  // day 14 from the first contact (day 9 from the admission, which round 1 counted)
  await addSessions(db, 'fc14', [[day(A, 14), 'attended']]);
  await addSessions(db, 'ad13', [[day(A, 13), 'attended']]);
  await addSessions(db, 'ad14', [[day(A, 14), 'attended']]);
  // initiation on day 0, then two sessions on one later day: one distinct day, not engaged
  await addSessions(db, 'same', [[A, 'attended'], [day(A, 5), 'attended'], [day(A, 5), 'attended']]);
  // initiation on day 2; the second engagement day is 2 + 34 = 36 (in) or 37 (out)
  await addSessions(db, 'eng34', [[day(A, 2), 'attended'], [day(A, 10), 'attended'], [day(A, 36), 'attended']]);
  await addSessions(db, 'eng35', [[day(A, 2), 'attended'], [day(A, 10), 'attended'], [day(A, 37), 'attended']]);
  // initiated at admission, day 3 from the first contact; engagement window runs to day 3 + 34 = 37
  await addSessions(db, 'fceng', [[day(A, 3), 'attended'], [day(A, 20), 'attended'], [day(A, 37), 'attended']]);
});

function filters(): MetricFilters {
  const r = parseFilters({ as_of: AS_OF });
  if (!r.ok) throw new Error(r.error.error);
  return r.filters;
}

const INITIATED = ['ad13', 'eng34', 'eng35', 'fc13', 'fceng', 'same'];
const ENGAGED = ['eng34', 'fceng'];

describe('IET initiation and engagement windows (docs/metrics.md "Attendance and engagement")', () => {
  it('counts initiation on day 13 and not 14, from the first contact or else the admission, and engagement through day 34 after initiation on distinct days (fact path)', async () => {
    const r = await computeMetric(t.wh.db, 'attendance', filters(), { minCell: 0, source: 'facts' });
    const g = r.groups[0] as AttendanceGroup;
    expect([g.n, g.initiated, g.engaged]).toEqual([8, INITIATED.length, ENGAGED.length]);
  });

  it('marks the same episodes in the episode model, and the model path gives the same response', async () => {
    await refreshEpisodes(t.wh.db, 'all', AS_OF);
    const { rows } = await sql<{ episode_id: string; iet_initiated: boolean; iet_engaged: boolean; engaged: boolean }>`
      select episode_id, iet_initiated, iet_engaged, engaged from episode_outcomes order by episode_id`.execute(t.wh.db);
    expect(rows.filter((x) => x.iet_initiated).map((x) => x.episode_id)).toEqual(INITIATED);
    expect(rows.filter((x) => x.iet_engaged).map((x) => x.episode_id)).toEqual(ENGAGED);
    expect(rows.filter((x) => x.engaged).map((x) => x.episode_id)).toEqual(ENGAGED);
    const model = await computeMetric(t.wh.db, 'attendance', filters(), { minCell: 0 });
    const facts = await computeMetric(t.wh.db, 'attendance', filters(), { minCell: 0, source: 'facts' });
    expect(model).toEqual(facts);
  });
});
