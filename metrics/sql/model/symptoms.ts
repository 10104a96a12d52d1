import { sql, type Kysely } from 'kysely';
import type { DB } from '../../../warehouse/db-types';
import type { MetricFilters } from '../../filters';
import { TRAJECTORY_LAST_WEEK, trajectoryAggregates, type BaselineCountRow, type PairCountRow, type TrajectoryRow } from '../symptoms';
import { weekColumn } from '../../../warehouse/models/weekly';
import { groupSizesFromModel, scopedModel, weekValue, modelQuery } from './scope';

export interface SymptomsModelRows {
  sizes: Map<string, number>;
  baselines: BaselineCountRow[];
  trajectory: TrajectoryRow[];
}

/**
 * Group sizes, episodes with a baseline and the weekly trajectory sums from the models:
 * `episode_instrument_outcomes` holds each episode's baseline, follow-up and mean score
 * per week (`mean_x10k_w0 … _w16`), computed with the windows of `baselineAndFollowup`,
 * plus the episode attributes scoping needs, so only the group sizes read
 * `episode_outcomes`. The two scans run side by side.
 */
export async function symptomsFromModel(db: Kysely<DB>, f: MetricFilters): Promise<SymptomsModelRows> {
  const weeks = Array.from({ length: TRAJECTORY_LAST_WEEK + 1 }, (_, w) =>
    trajectoryAggregates(sql.ref(`s.${weekColumn('mean_x10k', w)}`), `n_${w}`, `s_${w}`, `q_${w}`));
  const [sizes, { rows }] = await Promise.all([
    groupSizesFromModel(db, f),
    modelQuery(db, (trx) => sql<Record<string, unknown>>`
      select s.grp, count(s.baseline_score)::int as with_baseline, ${sql.join(weeks)}
      from ${scopedModel(f, 'episode_instrument_outcomes')}
      group by s.grp`.execute(trx), { oneInstrument: true }),
  ]);
  const out: SymptomsModelRows = { sizes, baselines: [], trajectory: [] };
  for (const row of rows) {
    const grp = String(row.grp);
    const withBaseline = Number(row.with_baseline);
    if (withBaseline > 0) out.baselines.push({ grp, with_baseline: withBaseline });
    for (let week = 0; week <= TRAJECTORY_LAST_WEEK; week++) {
      const n = weekValue(row, 'n', week);
      if (n > 0) out.trajectory.push({ grp, week, n, sum: weekValue(row, 's', week), sum_sq: weekValue(row, 'q', week) });
    }
  }
  return out;
}

/** `pairCounts` from the model: paired episodes per (group, baseline, follow-up). */
export async function pairCountsFromModel(db: Kysely<DB>, f: MetricFilters): Promise<PairCountRow[]> {
  return modelQuery(db, async (trx) => (await sql<PairCountRow>`
    select s.grp, s.baseline_score as baseline, s.followup_score as followup, count(*)::int as n
    from ${scopedModel(f, 'episode_instrument_outcomes')}
    where s.followup_score is not null
    group by s.grp, s.baseline_score, s.followup_score order by s.grp, s.baseline_score, s.followup_score`.execute(trx)).rows, { oneInstrument: true });
}
