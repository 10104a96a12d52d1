import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import type { MetricFilters } from '../filters';
import {
  inBaselineWindow, inFollowupRange, inWeeklySeries, isFollowupAfter, weekOf, weeklyMeanX10k,
} from '../../warehouse/models/per-episode';
import { scopedEpisodes } from '../sql/scope';

export interface InstrumentRow {
  code: string;
  higher_is_better: boolean;
  reliable_change_points: number | null;
  reliability: number | null;
  norm_sd: number | null;
  clinical_cutoff: number | null;
  remission_below: number | null;
  min_score: number;
  max_score: number;
}

export interface PairCountRow {
  grp: string;
  baseline: number;
  followup: number;
  n: number;
}

export interface BaselineCountRow {
  grp: string;
  with_baseline: number;
}

export interface TrajectoryRow {
  grp: string;
  week: number;
  n: number;
  sum: number;
  sum_sq: number;
}

export async function instrument(db: Kysely<DB>, code: string): Promise<InstrumentRow | undefined> {
  return db.selectFrom('instruments')
    .select(['code', 'higher_is_better', 'reliable_change_points', 'reliability', 'norm_sd', 'clinical_cutoff',
      'remission_below', 'min_score', 'max_score'])
    .where('code', '=', code).executeTakeFirst();
}

/**
 * Scores of the instrument linked to the scoped episodes, dated on or before
 * as_of; then each episode's baseline (the first score on days −14…+7) and
 * follow-up (the last score ≥ 14 days after the baseline, up to discharge + 14
 * days, or as_of for an episode still open). Read from the facts rather than
 * `episode_instrument_outcomes` because those windows depend on as_of.
 */
function baselineAndFollowup(f: MetricFilters) {
  return sql`scores as (
    select s.episode_id, s.grp, s.admitted_on, s.discharged_on, a.administered_on as on_day, a.total_score as score
    from scoped s join assessments a on a.episode_id = s.episode_id
    where a.instrument = ${f.instrument} and a.administered_on <= ${f.as_of}::date
  ),
  baseline as (
    select distinct on (episode_id) episode_id, grp, on_day as baseline_on, score as baseline
    from scores
    where ${inBaselineWindow(sql`on_day - admitted_on`)}
    order by episode_id, on_day
  ),
  followup as (
    select distinct on (x.episode_id) x.episode_id, x.score as followup
    from scores x join baseline b on b.episode_id = x.episode_id
    where ${isFollowupAfter(sql`x.on_day`, sql`b.baseline_on`)}
      and ${inFollowupRange(sql`x.on_day`, sql`x.discharged_on`)}
    order by x.episode_id, x.on_day desc
  )`;
}

/** Paired episodes as a (group, baseline, follow-up, n) count table: small, since scores are bounded. */
export async function pairCounts(db: Kysely<DB>, f: MetricFilters): Promise<PairCountRow[]> {
  const { rows } = await sql<PairCountRow>`
    with ${scopedEpisodes(f)}, ${baselineAndFollowup(f)}
    select b.grp, b.baseline, fu.followup, count(*)::int as n
    from baseline b join followup fu on fu.episode_id = b.episode_id
    group by b.grp, b.baseline, fu.followup order by b.grp, b.baseline, fu.followup`.execute(db);
  return rows;
}

export async function baselineCounts(db: Kysely<DB>, f: MetricFilters): Promise<BaselineCountRow[]> {
  const { rows } = await sql<BaselineCountRow>`
    with ${scopedEpisodes(f)}, ${baselineAndFollowup(f)}
    select grp, count(*)::int as with_baseline from baseline group by grp`.execute(db);
  return rows;
}

/**
 * Weekly trajectory sums: each episode contributes its mean score in a week
 * (week = floor(day/7) since admission, weeks 0–16), so `n` counts episodes and a
 * patient scored twice in a week is not counted twice. An episode's weekly mean is an
 * integer number of ten-thousandths of a point (`weeklyMeanX10k`), so the sums are
 * exact and do not depend on the order rows arrive in (a float8 mean of three scores is
 * inexact); the model path (model.ts) adds the same integers and scales
 * them back with the same `scaledSums`, so both give the same bits.
 */
export async function trajectorySums(db: Kysely<DB>, f: MetricFilters): Promise<TrajectoryRow[]> {
  const week = weekOf(sql`on_day - admitted_on`);
  const { rows } = await sql<TrajectoryRow>`
    with ${scopedEpisodes(f)}, ${baselineAndFollowup(f)},
    weekly as (
      select grp, episode_id, ${week} as week, ${weeklyMeanX10k(sql`score`)} as score
      from scores where ${inWeeklySeries(sql`on_day - admitted_on`)}
      group by grp, episode_id, ${week}
    )
    select grp, week::int, ${trajectoryAggregates(sql`score`, 'n', 'sum', 'sum_sq')}
    from weekly group by grp, week order by grp, week`.execute(db);
  return rows;
}

/**
 * `count`, sum and sum of squares of weekly means held in ten-thousandths of a point
 * (`weeklyMeanX10k`), summed exactly as integers and scaled back to points once.
 */
export function trajectoryAggregates(x10k: RawBuilder<unknown>, n: string, sum: string, sumSq: string): RawBuilder<unknown> {
  return sql`count(${x10k})::int as ${sql.ref(n)}, ${scaledSums(sql`sum(${x10k})`, sql`sum(${x10k} * ${x10k})`, sum, sumSq)}`;
}

/** A sum of ten-thousandths of a point and a sum of their squares (exact numerics), scaled back to points once. */
export function scaledSums(sumX10k: RawBuilder<unknown>, sumSqX10k: RawBuilder<unknown>, sum: string, sumSq: string): RawBuilder<unknown> {
  return sql`(${sumX10k} / 10000)::float8 as ${sql.ref(sum)}, (${sumSqX10k} / 100000000)::float8 as ${sql.ref(sumSq)}`;
}
