import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { metricSource, parseFilters } from '../../metrics/index';
import { refreshEpisodes } from '../../warehouse/models/refresh';
import { readModelState } from '../../warehouse/models/state';
import { useTestDatabase } from '../harness/database';
import { addEpisodes, addSessions, day } from '../metrics/fixtures';

const t = useTestDatabase();
const A = '2026-01-01';

async function state() {
  const s = await readModelState(t.wh.db);
  if (!s) throw new Error('model_state has no row');
  return s;
}

async function source(asOf: string) {
  const parsed = parseFilters({ as_of: asOf });
  if (!parsed.ok) throw new Error(parsed.error.error);
  return metricSource(t.wh.db, 'attendance', parsed.filters);
}

describe('model_state: when the models may answer a metric', () => {
  it('starts current on an empty warehouse', async () => {
    expect((await state()).stale).toBe(false);
  });

  it('goes stale when facts change outside a refresh, and a partial refresh in another transaction does not clear it', async () => {
    await addEpisodes(t.wh.db, [{ id: 'x1', admitted: A }, { id: 'x2', admitted: A }]);
    expect((await state()).stale).toBe(true);
    expect(await source(day(A, 50))).toBe('facts');
    await t.wh.db.transaction().execute((trx) => refreshEpisodes(trx, ['x1'], day(A, 50)));
    expect((await state()).stale).toBe(true);
  });

  it('is current after a full refresh, with the latest fact dates it saw', async () => {
    await addSessions(t.wh.db, 'x1', [[day(A, 3), 'attended'], [day(A, 40), 'no_show']]);
    await t.wh.db.transaction().execute((trx) => refreshEpisodes(trx, 'all', day(A, 50)));
    expect(await state()).toMatchObject({ stale: false, attendance_through: day(A, 40), refreshed_as_of: day(A, 50) });
    // by track, with no discharge after as_of: the models, summed in their rollups (metrics/source.ts)
    expect(await source(day(A, 50))).toBe('rollup');
    // A session on day 40 would be cut by an as_of on day 39: the facts answer that.
    expect(await source(day(A, 39))).toBe('facts');
  });

  it('stays current when one transaction changes facts and refreshes the episodes it touched (as ingest does)', async () => {
    await t.wh.db.transaction().execute(async (trx) => {
      await sql`insert into attendance (session_id, episode_id, patient_id, session_date, status)
        values ('tx-1', 'x2', 'P-x2', ${day(A, 60)}::date, 'attended')`.execute(trx);
      await refreshEpisodes(trx, ['x2'], day(A, 60));
    });
    expect(await state()).toMatchObject({ stale: false, attendance_through: day(A, 60) });
    const row = await t.wh.db.selectFrom('episode_outcomes').select(['window_attended', 'last_attended_on']).where('episode_id', '=', 'x2').executeTakeFirstOrThrow();
    expect(row).toEqual({ window_attended: 1, last_attended_on: day(A, 60) });
  });

  it('stays current when a transaction writes nothing that changes an episode and refreshes none', async () => {
    await t.wh.db.transaction().execute(async (trx) => {
      await sql`update attendance set minutes = minutes where false`.execute(trx);
      await refreshEpisodes(trx, [], day(A, 60));
    });
    expect((await state()).stale).toBe(false);
  });
});
