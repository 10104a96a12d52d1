import { sql } from 'kysely';
import { computeMetric, METRIC_NAMES, metricSource, parseFilters } from '../../metrics/index';
import { timed, type BenchContext } from '../context';

/**
 * Metric query time (issue "Outcome metrics" bar): each family, computed in-process
 * exactly as the CLI and API do, against one bare `SELECT count(*)` over the episode
 * model timed in the same run. Best of three runs each, so a cold cache does not decide.
 * The note says whether the models or the facts answered (metrics/source.ts).
 */
export async function benchMetrics(ctx: BenchContext): Promise<void> {
  const db = ctx.wh.db;
  const best3 = async (fn: () => Promise<unknown>) => Math.min((await timed(fn)).ms, (await timed(fn)).ms, (await timed(fn)).ms);
  const count = await best3(() => sql`select count(*) from episode_outcomes`.execute(db));
  const parsed = parseFilters({ as_of: ctx.data.asOf });
  if (!parsed.ok) throw new Error(parsed.error.error);
  for (const name of METRIC_NAMES) {
    const source = await metricSource(db, name, parsed.filters);
    const ms = await best3(() => computeMetric(db, name, parsed.filters, { minCell: 11 }));
    ctx.log(`metrics ${name}: ${ms.toFixed(0)} ms from the ${source} (count(*) ${count.toFixed(1)} ms)`);
    ctx.record({
      measure: `metrics ${name} (all tracks, group by track)`, value: Math.round(ms), unit: 'ms',
      baseline: { name: 'SELECT count(*) FROM episode_outcomes', value: Number(count.toFixed(1)), unit: 'ms' },
      ratio: ms / count, target: '≤ 2× (+ a constant)', met: ms <= 2 * count + 50,
      command: `npm run -s iop -- metrics ${name} --as-of ${ctx.data.asOf} --format json`,
      note: `read from the ${source}; met = within 2× count(*) plus a 50 ms constant; in-process, without CLI start-up`,
    });
  }
}
