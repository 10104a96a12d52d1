import { sql } from 'kysely';
import { refreshEpisodes } from '../../warehouse/models/refresh';
import { timed, type BenchContext } from '../context';

/**
 * Model refresh (BENCHMARKS.md): `refresh --full` against one bare GROUP BY over
 * attendance; and a refresh of 1% of the episodes (what a 1% batch triggers) against
 * the full refresh. Each is run twice and the faster kept, so a cold cache does not
 * decide the figure.
 */
export async function benchRefresh(ctx: BenchContext): Promise<void> {
  const db = ctx.wh.db;
  const best = async (fn: () => Promise<unknown>) => Math.min((await timed(fn)).ms, (await timed(fn)).ms);

  const groupBy = await best(() => sql`select count(*) from (select episode_id, count(*) from attendance group by episode_id) g`.execute(db));
  const full = await best(() => db.transaction().execute((trx) => refreshEpisodes(trx, 'all')));
  ctx.record({
    measure: 'refresh --full', value: Math.round(full), unit: 'ms',
    baseline: { name: 'SELECT episode_id, count(*) FROM attendance GROUP BY 1', value: Math.round(groupBy), unit: 'ms' },
    ratio: full / groupBy, target: '≤ 1.5×', met: full / groupBy <= 1.5, command: 'npm run -s iop -- refresh --full',
  });

  const ids = (await sql<{ episode_id: string }>`select episode_id from episodes where abs(hashtext(episode_id)) % 100 = 0`.execute(db)).rows.map((r) => r.episode_id);
  const partial = await best(() => db.transaction().execute((trx) => refreshEpisodes(trx, ids)));
  ctx.record({
    measure: `refresh of 1% of episodes (${ids.length})`, value: Math.round(partial), unit: 'ms',
    baseline: { name: 'refresh --full', value: Math.round(full), unit: 'ms' },
    ratio: partial / full, target: '≤ 0.05×', met: partial / full <= 0.05,
    command: 'ingest of a batch touching 1% of episodes (refreshEpisodes of its episodes)',
  });
}
