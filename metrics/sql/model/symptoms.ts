import { sql, type Kysely } from 'kysely';
import type { DB } from '../../../warehouse/db-types';
import type { MetricFilters } from '../../filters';
import { TRAJECTORY_LAST_WEEK, type BaselineCountRow, type PairCountRow, type TrajectoryRow } from '../symptoms';
import { scopedModel, weekValue, withoutJit } from './scope';

export interface SymptomsModelRows {
  sizes: Map<string, number>;
  baselines: BaselineCountRow[];
  trajectory: TrajectoryRow[];
}

/**
 * Group sizes, episodes with a baseline and the weekly trajectory sums from the models:
 * `episode_instrument_outcomes` holds each episode's baseline, follow-up and mean score
 * per week, computed with the windows of `baselineAndFollowup`.
 */
export async function symptomsFromModel(db: Kysely<DB>, f: MetricFilters): Promise<SymptomsModelRows> {
  const weeks = Array.from({ length: TRAJECTORY_LAST_WEEK + 1 }, (_, w) => {
    const m = sql`i.weekly_mean[${sql.lit(w + 1)}]`;
    return sql`count(${m})::int as ${sql.ref(`n_${w}`)}, sum(${m})::float8 as ${sql.ref(`s_${w}`)},
      sum(${m} * ${m})::float8 as ${sql.ref(`q_${w}`)}`;
  });
  const { rows } = await withoutJit(db, (trx) => sql<Record<string, unknown>>`
    select s.grp, count(*)::int as n, count(i.baseline_score)::int as with_baseline, ${sql.join(weeks)}
    from ${scopedModel(f)}
      left join episode_instrument_outcomes i on i.episode_id = s.episode_id and i.instrument = ${f.instrument}
    group by s.grp`.execute(trx));
  const out: SymptomsModelRows = { sizes: new Map(), baselines: [], trajectory: [] };
  for (const row of rows) {
    const grp = String(row.grp);
    out.sizes.set(grp, Number(row.n));
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
  return withoutJit(db, async (trx) => (await sql<PairCountRow>`
    select s.grp, i.baseline_score as baseline, i.followup_score as followup, count(*)::int as n
    from ${scopedModel(f)}
      join episode_instrument_outcomes i on i.episode_id = s.episode_id and i.instrument = ${f.instrument}
    where i.followup_score is not null
    group by s.grp, i.baseline_score, i.followup_score order by s.grp, i.baseline_score, i.followup_score`.execute(trx)).rows);
}
