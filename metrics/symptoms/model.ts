import { sql, type Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import type { MetricFilters } from '../filters';
import { LAST_WEEK } from '../../warehouse/rules';
import { scaledSums, type BaselineCountRow, type PairCountRow, type TrajectoryRow } from './facts';
import { WEEKS, weekColumn } from '../../warehouse/models/weekly';
import { additiveSource, countSource, groupSizesFromModel } from '../sql/rollup';
import { weekValue, modelQuery } from '../sql/model-scope';

export interface SymptomsModelRows {
  sizes: Map<string, number>;
  pairs: PairCountRow[];
  baselines: BaselineCountRow[];
  trajectory: TrajectoryRow[];
}

const INSTRUMENT_FIGURES = ['with_baseline', ...WEEKS.flatMap((w) => ['scored', 'sum_x10k', 'sumsq_x10k'].map((x) => weekColumn(x, w)))];

/**
 * Group sizes, score pairs, episodes with a baseline and the weekly trajectory sums from
 * the models: `episode_instrument_outcomes` holds each episode's baseline, follow-up and
 * mean score per week (`mean_x10k_w0 … _w16`, ten-thousandths of a point), computed with
 * the windows of `baselineAndFollowup`, plus the episode attributes scoping needs. All
 * but the pairs are additive per-episode figures (warehouse/models/rollup.ts): they come
 * summed per (track, day, open or discharged) from the rollups with `useRollup`. Group sizes count every
 * scoped episode (`stay_counts`), pairs come from `pairCountsFromModel`; the three
 * queries run side by side.
 */
export async function symptomsFromModel(db: Kysely<DB>, f: MetricFilters, useRollup: boolean): Promise<SymptomsModelRows> {
  const sum = (series: string, w: number) => sql`sum(${sql.ref(`s.${weekColumn(series, w)}`)})`;
  const weeks = WEEKS.map((w) => sql`${sum('scored', w)}::int as ${sql.ref(`n_${w}`)},
    ${scaledSums(sum('sum_x10k', w), sum('sumsq_x10k', w), `s_${w}`, `q_${w}`)}`);
  const [sizes, pairs, { rows }] = await Promise.all([
    groupSizesFromModel(db, f, useRollup),
    pairCountsFromModel(db, f, useRollup),
    modelQuery(db, (trx) => sql<Record<string, unknown>>`
      select s.grp, sum(s.with_baseline)::int as with_baseline, ${sql.join(weeks)}
      from ${additiveSource(f, 'episode_instrument_outcomes', INSTRUMENT_FIGURES, useRollup)}
      group by s.grp`.execute(trx), { oneInstrument: true }),
  ]);
  const out: SymptomsModelRows = { sizes, pairs, baselines: [], trajectory: [] };
  for (const row of rows) {
    const grp = String(row.grp);
    const withBaseline = Number(row.with_baseline);
    if (withBaseline > 0) out.baselines.push({ grp, with_baseline: withBaseline });
    for (let week = 0; week <= LAST_WEEK; week++) {
      const n = weekValue(row, 'n', week);
      if (n > 0) out.trajectory.push({ grp, week, n, sum: weekValue(row, 's', week), sum_sq: weekValue(row, 'q', week) });
    }
  }
  return out;
}

/** `pairCounts` from the model: paired episodes per (group, baseline, follow-up), from `pair_counts` with `useRollup`. */
async function pairCountsFromModel(db: Kysely<DB>, f: MetricFilters, useRollup: boolean): Promise<PairCountRow[]> {
  return modelQuery(db, async (trx) => (await sql<PairCountRow>`
    select s.grp, s.baseline, s.followup, sum(s.n)::int as n
    from ${countSource(f, 'pair_counts', useRollup)}
    group by 1, 2, 3 order by 1, 2, 3`.execute(trx)).rows, { oneInstrument: true });
}
