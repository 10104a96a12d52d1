import fc from 'fast-check';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { refreshEpisodes } from '../../warehouse/models/refresh';
import { useTestDatabase } from '../harness/database';
import { addEpisodes, addScores, addSessions, addTests, day } from '../metrics/fixtures';

/**
 * The track-day rollups (warehouse/models/rollup.ts) after a partial refresh equal a
 * rebuild from scratch: an episode that moves to another track and admission day leaves
 * its old row and joins the new one, a row left with no episode goes, a discharge moves
 * an episode into the rollup, and open episodes stay out.
 */
const t = useTestDatabase();
const A = '2026-02-02';

async function snapshot(): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const table of ['track_day_outcomes', 'track_day_instrument_outcomes'] as const) {
    const { rows } = await sql`select * from ${sql.table(table)} order by 1, 2, 3`.execute(t.wh.db);
    out.push(...rows.map((r) => ({ table, ...(r as object) })));
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

describe('the track-day rollups', () => {
  it('sum the discharged episodes of each (track, admission day)', async () => {
    const { rows } = await sql<{ track_code: string; admitted_on: string; n: number; attended: number; no_show: number }>`
      select track_code, admitted_on::text, n, attended, no_show from track_day_outcomes order by 1`.execute(t.wh.db);
    // a1: 5 sessions (attended, attended, no_show, attended, attended); a2: 3 (2 attended, 1 no-show); b1: 6 (4, 2).
    expect(rows).toEqual([
      { track_code: 'day', admitted_on: A, n: 2, attended: 6, no_show: 2 },
      { track_code: 'eve', admitted_on: day(A, 3), n: 1, attended: 4, no_show: 2 },
    ]);
    const ins = await sql<{ instrument: string; rows: number; n: number; with_baseline: number }>`
      select instrument, count(*)::int as rows, sum(n)::int as n, sum(with_baseline)::int as with_baseline
      from track_day_instrument_outcomes group by 1`.execute(t.wh.db);
    expect(ins.rows).toEqual([{ instrument: 'PHQ-9', rows: 2, n: 3, with_baseline: 3 }]);
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
    // (eve, day 3) now holds only the open b2: its row is gone.
    const { rows } = await sql<{ track_code: string; admitted_on: string; n: number }>`
      select track_code, admitted_on::text, n from track_day_outcomes order by 1, 2`.execute(db);
    expect(rows).toEqual([
      { track_code: 'day', admitted_on: A, n: 2 },
      { track_code: 'eve', admitted_on: day(A, 7), n: 1 },
      { track_code: 'php', admitted_on: A, n: 1 },
    ]);
  });

  it('stay equal to a rebuild through any sequence of edits refreshed episode by episode (property)', async () => {
    const db = t.wh.db;
    const ids = ['a1', 'a2', 'a3', 'b1', 'b2'];
    const edit = fc.record({
      id: fc.constantFrom(...ids),
      track: fc.constantFrom('day', 'eve', 'php'),
      admittedOffset: fc.integer({ min: 0, max: 3 }),
      dischargeOffset: fc.option(fc.integer({ min: 10, max: 55 }), { nil: null }),
      session: fc.option(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.constantFrom('attended', 'no_show')), { nil: null }),
    });
    await fc.assert(fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 6 }), async (edits) => {
      for (const e of edits) {
        const admitted = day(A, e.admittedOffset);
        const discharged = e.dischargeOffset === null ? null : day(A, e.dischargeOffset);
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
