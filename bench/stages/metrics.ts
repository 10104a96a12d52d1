import { sql } from 'kysely';
import { computeMetric, METRIC_NAMES, metricSource, parseFilters, type MetricFilters, type MetricName } from '../../metrics/index';
import { ROLLUPS } from '../../warehouse/models/rollup';
import { timed, type BenchContext } from '../context';

/** The constant of the bar: fixed costs (transactions, round trips, building the response) that do not grow with the warehouse. */
const CONSTANT_MS = 50;

/**
 * Metric query time (issue "Outcome metrics" bar): each family, computed in-process
 * exactly as the CLI and API do, against one bare `SELECT count(*)` over the episode
 * model timed in the same run. Best of three runs each, so a cold cache does not decide;
 * the count is the best of five taken before the metrics and five after, so the baseline
 * is the fastest (warmest) count the run saw, over the vacuumed model. The note says
 * whether the models or the facts answered (metrics/source.ts), and whether the rollups
 * did (warehouse/models/rollup.ts).
 *
 * The bar is measured on the default request (every track, grouped by track). The same
 * families grouped by sex, which the rollups cannot serve and which therefore read
 * every episode from the models, are recorded beside it without a target.
 */
export async function benchMetrics(ctx: BenchContext): Promise<void> {
  const db = ctx.wh.db;
  const best = async (fn: () => Promise<unknown>, runs: number) => {
    let ms = Infinity;
    for (let i = 0; i < runs; i++) ms = Math.min(ms, (await timed(fn)).ms);
    return ms;
  };
  const countOnce = () => sql`select count(*) from episode_outcomes`.execute(db);
  const filters = (raw: Record<string, unknown>): MetricFilters => {
    const parsed = parseFilters({ as_of: ctx.data.asOf, ...raw });
    if (!parsed.ok) throw new Error(parsed.error.error);
    return parsed.filters;
  };
  // The steady state autovacuum leaves: visibility maps set and statistics fresh. This
  // makes the baseline an index-only count (17 ms at 200k, against 55 ms over a table just
  // rewritten by the full refresh), so the strictest budget.
  for (const table of ['episode_outcomes', 'episode_instrument_outcomes', ...Object.keys(ROLLUPS)]) {
    await sql`vacuum (analyze) ${sql.table(table)}`.execute(db);
  }
  const countBefore = await best(countOnce, 5);
  const timings: { name: MetricName; groupBy: string; ms: number; source: string }[] = [];
  for (const groupBy of ['track', 'sex']) {
    const f = filters({ group_by: groupBy });
    for (const name of METRIC_NAMES) {
      const source = await metricSource(db, name, f);
      const ms = await best(() => computeMetric(db, name, f, { minCell: 11 }), 3);
      timings.push({ name, groupBy, ms, source: source === 'facts' ? 'facts' : `${source}s` });
    }
  }
  const count = Math.min(countBefore, await best(countOnce, 5));
  for (const { name, groupBy, ms, source } of timings) {
    ctx.log(`metrics ${name} by ${groupBy}: ${ms.toFixed(0)} ms from the ${source} (count(*) ${count.toFixed(1)} ms)`);
    const bar = groupBy === 'track';
    ctx.record({
      measure: bar ? `metrics ${name} (all tracks, group by track)` : `metrics ${name} by ${groupBy} (all tracks)`, value: Math.round(ms), unit: 'ms',
      baseline: { name: 'SELECT count(*) FROM episode_outcomes', value: Number(count.toFixed(1)), unit: 'ms' },
      ratio: ms / count,
      ...(bar ? { target: `≤ 2× + ${CONSTANT_MS} ms`, met: ms <= 2 * count + CONSTANT_MS } : {}),
      command: `npm run -s iop -- metrics ${name} --as-of ${ctx.data.asOf}${bar ? '' : ` --group-by ${groupBy}`} --format json`,
      note: `read from the ${source}; ${bar ? `met = within 2× count(*) plus a ${CONSTANT_MS} ms constant` : 'no target: shown for comparison'}; in-process, without CLI start-up`,
    });
  }
}
