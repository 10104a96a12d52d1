import fc from 'fast-check';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { refreshEpisodes } from '../../warehouse/models/refresh';
import { useTestDatabase } from '../harness/database';
import { addEpisodes, addScores, addSessions, addTests, day } from '../metrics/fixtures';

/**
 * The rollups (warehouse/models/rollup.ts) after a partial refresh equal a rebuild from
 * scratch: an episode that moves to another track, admission day or month leaves its old
 * row and joins the new one, a row left with no episode goes, a discharge moves an
 * episode from the open row of its (track, admission day) to the discharged one and, in
 * the count rollups, from its admission day to its admission month.
 */
const t = useTestDatabase();
const A = '2026-02-02';

async function snapshot(): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const table of ['track_day_outcomes', 'track_day_instrument_outcomes', 'stay_counts', 'relapse_counts', 'pair_counts'] as const) {
    const { rows } = await sql`select * from ${sql.table(table)}`.execute(t.wh.db);
    out.push(...rows.map((r) => JSON.stringify({ table, ...(r as object) })).sort());
  }
  return out;
}

beforeAll(async () => {
  const db = t.wh.db;
  await addEpisodes(db, [
    { id: 'a1', track: 'day', admitted: A, discharged: day(A, 20), reason: 'completed' },
    { id: 'a2', track: 'day', admitted: A, discharged: day(A, 40), reason: 'dropped_out' },
    { id: 'a3', track: 'day', admitted: A },
    { id: 'b1', track: 'eve', admitted: day(A, 3), discharged: day(A, 30), reason: 'completed' },
    { id: 'b2', track: 'eve', admitted: day(A, 3) },
  ]);
  for (const [id, n] of [['a1', 5], ['a2', 3], ['a3', 4], ['b1', 6], ['b2', 2]] as const) {
    const start = id.startsWith('a') ? 0 : 3;
    await addSessions(db, id, Array.from({ length: n }, (_, i) => [day(A, start + 2 * i), i % 3 === 2 ? 'no_show' : 'attended'] as [string, 'attended' | 'no_show']));
    await addTests(db, id, [{ on: day(A, start + 1), result: 'negative' }, { on: day(A, start + 9), result: n > 3 ? 'negative' : 'positive' }]);
    await addScores(db, id, 'PHQ-9', [[day(A, start), 10 + n], [day(A, start + 15), 5 + n]]);
  }
  await refreshEpisodes(db, 'all', day(A, 60));
});

describe('the rollups', () => {
  it('sum the episodes of each (track, admission day), the open ones apart', async () => {
    const { rows } = await sql<{ track_code: string; admitted_on: string; n: number; attended: number; no_show: number }>`
      select track_code, admitted_on::text, n, attended, no_show from track_day_outcomes where not open order by 1`.execute(t.wh.db);
    // a1: 5 sessions (attended, attended, no_show, attended, attended); a2: 3 (2 attended, 1 no-show); b1: 6 (4, 2).
    expect(rows).toEqual([
      { track_code: 'day', admitted_on: A, n: 2, attended: 6, no_show: 2 },
      { track_code: 'eve', admitted_on: day(A, 3), n: 1, attended: 4, no_show: 2 },
    ]);
    const ins = await sql<{ instrument: string; rows: number; n: number; with_baseline: number }>`
      select instrument, count(*)::int as rows, sum(n)::int as n, sum(with_baseline)::int as with_baseline
      from track_day_instrument_outcomes group by 1`.execute(t.wh.db);
    expect(ins.rows).toEqual([{ instrument: 'PHQ-9', rows: 4, n: 5, with_baseline: 5 }]);
    // the open episodes in rows of their own, their attendance per week left to the query (it depends on as_of)
    const open = await sql<{ track_code: string; admitted_on: string; n: number; attended: number; per_week: number; eot_episodes: number }>`
      select track_code, admitted_on::text, n, attended, per_week::float8 as per_week, eot_episodes from track_day_outcomes where open order by 1`.execute(t.wh.db);
    // a3: sessions on days 0, 2, 4 (no-show), 6; b2: days 3 and 5.
    expect(open.rows).toEqual([
      { track_code: 'day', admitted_on: A, n: 1, attended: 3, per_week: 0, eot_episodes: 0 },
      { track_code: 'eve', admitted_on: day(A, 3), n: 1, attended: 2, per_week: 0, eot_episodes: 0 },
    ]);
  });

  it('count every episode by its stay: discharged ones under the admission month and all-time, open ones under the day', async () => {
    const { rows } = await sql<{ track_code: string; admitted_on: string; open: boolean; los: number; reason: string; n: number }>`
      select track_code, admitted_on::text, open, los, reason, n from stay_counts order by 1, 2, 3, 4`.execute(t.wh.db);
    // a3's last attended session is day 6 (sessions on days 0, 2, 4 (no-show), 6); b2's is day 5 (days 3 and 5), 2 days after its admission.
    // the discharged ones a second time under '-infinity', every month together
    expect(rows).toEqual([
      { track_code: 'day', admitted_on: '-infinity', open: false, los: 20, reason: 'completed', n: 1 },
      { track_code: 'day', admitted_on: '-infinity', open: false, los: 40, reason: 'dropped_out', n: 1 },
      { track_code: 'day', admitted_on: '2026-02-01', open: false, los: 20, reason: 'completed', n: 1 },
      { track_code: 'day', admitted_on: '2026-02-01', open: false, los: 40, reason: 'dropped_out', n: 1 },
      { track_code: 'day', admitted_on: A, open: true, los: 6, reason: '', n: 1 },
      { track_code: 'eve', admitted_on: '-infinity', open: false, los: 27, reason: 'completed', n: 1 },
      { track_code: 'eve', admitted_on: '2026-02-01', open: false, los: 27, reason: 'completed', n: 1 },
      { track_code: 'eve', admitted_on: day(A, 3), open: true, los: 2, reason: '', n: 1 },
    ]);
    const pairs = await sql<{ n: number }>`select sum(n)::int as n from pair_counts where admitted_on > '-infinity'`.execute(t.wh.db);
    expect(pairs.rows).toEqual([{ n: 5 }]);
  });

  it('after a partial refresh equal a rebuild, when episodes change track and admission day and another is discharged', async () => {
    const db = t.wh.db;
    await sql`insert into tracks (track_code, name) values ('php', 'PHP step-down')`.execute(db);
    await sql`update episodes set track_code = 'php' where episode_id = 'a1'`.execute(db);
    await sql`update episodes set admitted_on = ${day(A, 7)}::date where episode_id = 'b1'`.execute(db);
    await sql`update episodes set discharged_on = ${day(A, 50)}::date, discharge_reason = 'completed' where episode_id = 'a3'`.execute(db);
    await refreshEpisodes(db, ['a1', 'b1', 'a3'], day(A, 60));
    const partial = await snapshot();
    await refreshEpisodes(db, 'all', day(A, 60));
    expect(partial).toEqual(await snapshot());
    // (eve, day 3) now holds only the open b2; a3's open row went when it was discharged.
    const { rows } = await sql<{ track_code: string; admitted_on: string; open: boolean; n: number }>`
      select track_code, admitted_on::text, open, n from track_day_outcomes order by 1, 2, 3`.execute(db);
    expect(rows).toEqual([
      { track_code: 'day', admitted_on: A, open: false, n: 2 },
      { track_code: 'eve', admitted_on: day(A, 3), open: true, n: 1 },
      { track_code: 'eve', admitted_on: day(A, 7), open: false, n: 1 },
      { track_code: 'php', admitted_on: A, open: false, n: 1 },
    ]);
  });

  it('stay equal to a rebuild through any sequence of edits refreshed episode by episode (property)', async () => {
    const db = t.wh.db;
    const ids = ['a1', 'a2', 'a3', 'b1', 'b2'];
    const edit = fc.record({
      id: fc.constantFrom(...ids),
      track: fc.constantFrom('day', 'eve', 'php'),
      admittedOffset: fc.constantFrom(0, 1, 3, 28),
      dischargeOffset: fc.option(fc.integer({ min: 0, max: 25 }), { nil: null }),
      session: fc.option(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.constantFrom('attended', 'no_show')), { nil: null }),
    });
    await fc.assert(fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 6 }), async (edits) => {
      for (const e of edits) {
        const admitted = day(A, e.admittedOffset);
        const discharged = e.dischargeOffset === null ? null : day(A, e.admittedOffset + e.dischargeOffset);
        await sql`update episodes set track_code = ${e.track}, admitted_on = ${admitted}::date,
          discharged_on = ${discharged}::date, discharge_reason = ${discharged === null ? null : 'completed'}
          where episode_id = ${e.id}`.execute(db);
        if (e.session) await addSessions(db, e.id, [[day(A, e.session[0]), e.session[1] as 'attended' | 'no_show']]).catch(() => undefined);
        await refreshEpisodes(db, [e.id], day(A, 60));
      }
      const partial = await snapshot();
      await refreshEpisodes(db, 'all', day(A, 60));
      expect(partial).toEqual(await snapshot());
    }), { numRuns: 25 });
  });
});
