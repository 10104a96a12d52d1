import { sql } from 'kysely';
import { computeMeasure, MEASURE_NAMES, MEASURES, parseMeasureRequest, type MeasureName, type MeasureRequest } from '../../metrics/measures/index';
import { median, timed, type BenchContext } from '../context';

/** The constant of the bar (issue 15 "Standard measures"): within 2× a count(*) over the episode model plus 50 ms. */
export const CONSTANT_MS = 50;
const RUNS = 5;
const COUNT = 'SELECT count(*) FROM episode_outcomes';

/** Whether a measure's time meets the bar against the count(*) of the same run. */
export function meetsBar(ms: number, countMs: number): boolean {
  return ms <= 2 * countMs + CONSTANT_MS;
}

/** Every registered measure, in the order of MEASURE_NAMES: a measure registered on another branch is benched without editing this stage. */
export function registeredMeasures(): MeasureName[] {
  return MEASURE_NAMES.filter((n) => MEASURES[n] !== undefined);
}

/** The two-way grouping recorded beside the bar (issue 15: round-2 dimensions, site × sex), when the request parser accepts one. */
export const TWO_WAY = 'site,sex';
/** The one-way fallback: strata by index-date period, which no rollup can serve. */
export const ONE_WAY = 'period';

/**
 * The strata request for a measure: `group_by=site,sex` when the measure request
 * parser accepts two-way groupings, otherwise `group_by=period` (with `twoWay` false, so the
 * report says which was timed).
 */
export function strataRequest(name: MeasureName, asOf: string): { groupBy: string; twoWay: boolean; request: MeasureRequest } {
  const two = parseMeasureRequest(name, { as_of: asOf, group_by: TWO_WAY });
  if (two.ok) return { groupBy: TWO_WAY, twoWay: true, request: two.request };
  const one = parseMeasureRequest(name, { as_of: asOf, group_by: ONE_WAY });
  if (!one.ok) throw new Error(one.error.error);
  return { groupBy: ONE_WAY, twoWay: false, request: one.request };
}

/**
 * Standard measures (issue 15 bar): every measure of the registry
 * (metrics/measures/registry.ts), computed in-process through `computeMeasure`, the one
 * entry the CLI and `GET /api/v1/measures/{name}` share, on the default request (every
 * track, grouped by track, at the cohort's as-of). The median of five runs of each, against
 * a bare `SELECT count(*)` over the episode model timed before each run (median of five too).
 *
 * Beside each, without a target, the same measure grouped two ways (site × sex) when
 * the request parser accepts it, else by index-date period (one way), as "strata".
 */
export async function benchMeasures(ctx: BenchContext): Promise<void> {
  const db = ctx.wh.db;
  // The steady state autovacuum leaves, as the metrics stage: statistics fresh, visibility maps set.
  for (const table of ['episodes', 'patients', 'episode_outcomes', 'assessments', 'followups', 'episode_measure_rows']) {
    await sql`vacuum (analyze) ${sql.table(table)}`.execute(db);
  }
  const countOnce = () => sql`select count(*) from episode_outcomes`.execute(db);
  const asOf = ctx.data.asOf;
  const names = registeredMeasures();
  if (names.length === 0) throw new Error('no measure is registered in metrics/measures/registry.ts');

  for (const name of names) {
    const parsed = parseMeasureRequest(name, { as_of: asOf });
    if (!parsed.ok) throw new Error(parsed.error.error);
    const strata = strataRequest(name, asOf);
    // One warm-up of each, so the first timed run does not pay for planning and a cold cache alone.
    await computeMeasure(db, parsed.request, 11);
    await computeMeasure(db, strata.request, 11);

    const counts: number[] = [];
    const bars: number[] = [];
    const strataRuns: number[] = [];
    let population = 0;
    let groups = 0;
    let strataGroups = 0;
    for (let i = 0; i < RUNS; i++) {
      counts.push((await timed(countOnce)).ms);
      const bar = await timed(() => computeMeasure(db, parsed.request, 11));
      bars.push(bar.ms);
      groups = bar.value.groups.length;
      population = bar.value.groups.reduce((s, g) => s + ('initial_population' in g ? g.initial_population : 0), 0);
      const st = await timed(() => computeMeasure(db, strata.request, 11));
      strataRuns.push(st.ms);
      strataGroups = st.value.groups.length;
    }
    const count = median(counts);
    const ms = median(bars);
    const strataMs = median(strataRuns);
    const baseline = { name: COUNT, value: Number(count.toFixed(1)), unit: 'ms' };
    ctx.log(`measures ${name}: ${ms.toFixed(0)} ms, by ${strata.groupBy} ${strataMs.toFixed(0)} ms (count(*) ${count.toFixed(1)} ms; ${population} episodes in ${groups} groups)`);
    ctx.record({
      measure: `measures ${name} (all tracks, group by track)`, value: Math.round(ms), unit: 'ms', baseline, ratio: ms / count,
      target: `≤ 2× + ${CONSTANT_MS} ms`, met: meetsBar(ms, count),
      command: `npm run -s iop -- measures ${name} --as-of ${asOf} --format json`,
      note: `median of ${RUNS}; computeMeasure in-process as the CLI and API call it, without CLI start-up; ${population} episodes in the initial population, ${groups} groups; met = within 2× count(*) plus a ${CONSTANT_MS} ms constant`,
    });
    ctx.record({
      measure: `measures ${name} by ${strata.groupBy} (all tracks)`, value: Math.round(strataMs), unit: 'ms', baseline, ratio: strataMs / count,
      command: `npm run -s iop -- measures ${name} --as-of ${asOf} --group-by ${strata.groupBy} --format json`,
      note: `median of ${RUNS}; ${strataGroups} groups; ${strata.twoWay ? 'two-way strata' : 'one-way: the measure request parser does not accept a two-way group_by yet'}; no target: shown beside the bar`,
    });
  }
}
