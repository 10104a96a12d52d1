import { sql, type Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import { inBaselineWindow } from '../../warehouse/models/per-episode';
import { BASELINE_FROM, LAST_WEEK_DAY } from '../../warehouse/rules';

/** docs/progress.md "Time": weeks since admission, or log(weeks + 1) (the default). */
export const TIME_SCALES = ['log', 'linear'] as const;
export type TimeScale = (typeof TIME_SCALES)[number];

/** One episode's sums over its scores: all the progress model reads (metrics/stats/lmm.ts). */
export interface EpisodeSums {
  n: number;
  st: number;
  stt: number;
  sy: number;
  sty: number;
  syy: number;
  /** The episode's baseline score (the first on days −14…+7, as in "Symptom change"), null without one. */
  baseline: number | null;
}

/**
 * The instrument's scores linked to an episode, from the first day of the baseline
 * window (BASELINE_FROM) through the last day of the weekly series (LAST_WEEK_DAY),
 * summed per episode in SQL so that 1.8M scores come back as one row per episode.
 * A score before admission counts as week 0. The sums are taken in `numeric`, which
 * is exact and so independent of the order PostgreSQL reads the rows in. The baseline
 * is read from the same facts with the rule of the per-episode models (inBaselineWindow),
 * so the fit never depends on whether the models are fresh. The rows come sorted by
 * their sums (not by episode id, which the fit never reads), the order in which
 * statsFromGroupSums (metrics/stats/lmm-stats.ts) sums them, so its sort finds them
 * (almost) in order.
 */
export async function episodeSums(db: Kysely<DB>, instrument: string, time: TimeScale): Promise<EpisodeSums[]> {
  const weeks = sql`greatest(a.administered_on - e.admitted_on, 0) / 7.0::float8`;
  const t = time === 'log' ? sql`ln(1 + ${weeks})` : weeks;
  const r = await sql<EpisodeSums>`
    with s as (
      select a.episode_id, a.total_score as y, a.administered_on - e.admitted_on as day, (${t})::float8 as t
      from assessments a join episodes e on e.episode_id = a.episode_id
      where a.instrument = ${instrument}
        and a.administered_on - e.admitted_on between ${sql.lit(BASELINE_FROM)} and ${sql.lit(LAST_WEEK_DAY)}
    )
    select count(*)::int as n,
      sum(s.t::numeric)::float8 as st, sum((s.t * s.t)::numeric)::float8 as stt,
      sum(s.y::numeric)::float8 as sy, sum((s.t * s.y)::numeric)::float8 as sty, sum((s.y * s.y)::numeric)::float8 as syy,
      (min(array[s.day::float8, s.y]) filter (where ${inBaselineWindow(sql`s.day`)}))[2] as baseline
    from s
    group by s.episode_id
    order by n, st, stt, sy, sty, syy`.execute(db);
  return r.rows;
}
