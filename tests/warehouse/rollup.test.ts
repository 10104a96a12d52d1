import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { refreshEpisodes } from '../../warehouse/models/refresh';
import { useTestDatabase } from '../harness/database';
import { addEpisodes, addScores, addSessions, addTests, day } from '../metrics/fixtures';

/**
 * The track-day rollups (warehouse/models/rollup.ts) after a partial refresh equal a
 * rebuild from scratch: an episode that moves to another track and admission day leaves
 * its old row and joins the new one, a discharge moves an episode into the rollup and
 * raises `settled_on`, and open episodes stay out.
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
  it('sum the discharged episodes of each (track, admission day), with the latest discharge as settled_on', async () => {
    const { rows } = await sql<{ track_code: string; admitted_on: string; settled_on: string; n: number; attended: number; no_show: number }>`
      select track_code, admitted_on::text, settled_on::text, n, attended, no_show from track_day_outcomes order by 1`.execute(t.wh.db);
    // a1: 5 sessions (attended, attended, no_show, attended, attended); a2: 3 (2 attended, 1 no-show); b1: 6 (4, 2).
    expect(rows).toEqual([
      { track_code: 'day', admitted_on: A, settled_on: day(A, 40), n: 2, attended: 6, no_show: 2 },
      { track_code: 'eve', admitted_on: day(A, 3), settled_on: day(A, 30), n: 1, attended: 4, no_show: 2 },
    ]);
    const ins = await sql<{ instrument: string; n: number; with_baseline: number }>`
      select instrument, count(*)::int as n, sum(with_baseline)::int as with_baseline from track_day_instrument_outcomes group by 1`.execute(t.wh.db);
    expect(ins.rows).toEqual([{ instrument: 'PHQ-9', n: 2, with_baseline: 3 }]);
  });

  it('after a partial refresh equal a rebuild, when an episode changes track and admission day and another is discharged', async () => {
    const db = t.wh.db;
    await sql`update episodes set track_code = 'eve', admitted_on = ${day(A, 3)}::date where episode_id = 'a2'`.execute(db);
    await sql`update episodes set discharged_on = ${day(A, 50)}::date, discharge_reason = 'completed' where episode_id = 'a3'`.execute(db);
    await refreshEpisodes(db, ['a2', 'a3'], day(A, 60));
    const partial = await snapshot();
    await refreshEpisodes(db, 'all', day(A, 60));
    expect(partial).toEqual(await snapshot());
    const { rows } = await sql<{ track_code: string; n: number; settled_on: string }>`
      select track_code, n, settled_on::text from track_day_outcomes order by 1`.execute(db);
    expect(rows).toEqual([
      { track_code: 'day', n: 2, settled_on: day(A, 50) },
      { track_code: 'eve', n: 2, settled_on: day(A, 40) },
    ]);
  });
});
