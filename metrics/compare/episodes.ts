import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import {
  countedTest, inBaselineWindow, inEndOfTreatment, inEngagementWindow, inFollowupRange, inInitiationWindow, isEngaged, isFollowupAfter,
} from '../../warehouse/models/per-episode';
import { POSITIVE_REASONS } from '../../warehouse/rules';
import type { MetricFilters } from '../filters';
import { dimensionExpression, FACT_COLUMNS, scopedEpisodes } from '../sql/scope';
import type { CompareBy, CompareOutcome } from './request';

/**
 * One row per episode of a comparison (docs/comparisons.md "Outcomes"): its unit, its
 * binary outcome and its case-mix covariates, read from the facts for any as_of. Only
 * the episodes an outcome is defined for are returned (its denominator). The windows and
 * per-episode rules are the builders of warehouse/models/per-episode.ts and the constants
 * of warehouse/rules.ts, the same the metric families use.
 */
export interface CompareEpisodeRow {
  unit: string;
  y: boolean;
  /** The first score on the request's instrument in the baseline window, if any. */
  baseline: number | null;
  /** Admission year − birth year; null without a birth year. */
  age: number | null;
  sex: string;
  substance: string;
}

/**
 * The column each unit or equity group reads: the dimension's key as the metrics group by it
 * (metrics/sql/scope.ts), so a missing value is the key `unknown` and race and ethnicity
 * are compared lower-cased. Episodes without a primary clinician or site form a unit of
 * their own, never a silent drop.
 */
const unitColumn = (by: CompareBy, f: MetricFilters): RawBuilder<string> => dimensionExpression(by, f.period, FACT_COLUMNS);

/** The first score on the instrument in the baseline window (docs/metrics.md "Symptom change"). */
function baselineScores(f: MetricFilters): RawBuilder<unknown> {
  return sql`scores as (
    select b.episode_id, b.discharged_on, a.administered_on as on_day, a.total_score as score, a.administered_on - b.admitted_on as day
    from base b join assessments a on a.episode_id = b.episode_id
    where a.instrument = ${f.instrument} and a.administered_on <= ${f.as_of}::date
  ),
  baseline as (
    select distinct on (episode_id) episode_id, on_day as baseline_on, score
    from scores where ${inBaselineWindow(sql`day`)}
    order by episode_id, on_day
  )`;
}

/** `outcome(episode_id, y)`: the outcome's denominator and whether each episode had it. */
function outcomeCte(outcome: CompareOutcome, f: MetricFilters, remissionBelow: number | null): RawBuilder<unknown> {
  switch (outcome) {
    case 'completion':
      return sql`outcome as (select episode_id, discharge_reason = 'completed' as y from base where discharged_on is not null)`;
    case 'positive_discharge':
      return sql`outcome as (select episode_id, discharge_reason = any(${[...POSITIVE_REASONS]}::text[]) as y from base where discharged_on is not null)`;
    case 'engagement':
      // HEDIS IET as docs/metrics.md adapts it, over every episode admitted by as_of.
      return sql`sessions as (
        select b.episode_id, a.session_date, a.session_date - b.admitted_on as day
        from base b join attendance a on a.episode_id = b.episode_id
        where a.session_date between b.admitted_on and b.ends_on and a.status = 'attended' and a.session_date <= ${f.as_of}::date
      ),
      initiation as (
        select episode_id, min(session_date) as initiated_on from sessions where ${inInitiationWindow(sql`day`)} group by episode_id
      ),
      later as (
        select i.episode_id, count(*) as later
        from initiation i join sessions x on x.episode_id = i.episode_id
        where ${inEngagementWindow(sql`x.session_date`, sql`i.initiated_on`)}
        group by i.episode_id
      ),
      outcome as (
        select b.episode_id, (i.initiated_on is not null and ${isEngaged(sql`coalesce(l.later, 0)`)}) as y
        from base b left join initiation i on i.episode_id = b.episode_id left join later l on l.episode_id = b.episode_id
      )`;
    case 'remission':
      // The symptoms follow-up of a discharged episode, below the instrument's remission_below.
      return sql`followup as (
        select distinct on (x.episode_id) x.episode_id, x.score
        from scores x join baseline bl on bl.episode_id = x.episode_id
        where x.discharged_on is not null and ${isFollowupAfter(sql`x.on_day`, sql`bl.baseline_on`)}
          and ${inFollowupRange(sql`x.on_day`, sql`x.discharged_on`)}
        order by x.episode_id, x.on_day desc
      ),
      outcome as (select episode_id, score < ${remissionBelow}::float8 as y from followup)`;
    case 'abstinence':
      // docs/metrics.md "Relapse and abstinence": only negatives among the counted tests of the last 28 days.
      return sql`outcome as (
        select b.episode_id, bool_and(t.result = 'negative') as y
        from base b join abstinence_tests t on t.episode_id = b.episode_id
        where b.discharged_on is not null and t.collected_on between b.admitted_on and b.ends_on
          and ${countedTest('t')} and ${inEndOfTreatment(sql`t.collected_on`, sql`b.discharged_on`)}
        group by b.episode_id
      )`;
  }
}

export async function compareEpisodes(
  db: Kysely<DB>, outcome: CompareOutcome, by: CompareBy, f: MetricFilters, remissionBelow: number | null,
): Promise<CompareEpisodeRow[]> {
  const scope: MetricFilters = { ...f, group_by: ['track'] };
  const { rows } = await sql<CompareEpisodeRow>`
    with ${scopedEpisodes(scope)},
    base as (
      select s.episode_id, s.admitted_on, s.discharged_on, s.discharge_reason, s.ends_on,
        ${unitColumn(by, f)} as unit,
        (extract(year from e.admitted_on)::int - p.birth_year) as age,
        ${dimensionExpression('sex', f.period, FACT_COLUMNS)} as sex,
        ${dimensionExpression('substance', f.period, FACT_COLUMNS)} as substance
      from scoped s join episodes e on e.episode_id = s.episode_id left join patients p on p.patient_id = e.patient_id
    ),
    ${baselineScores(f)},
    ${outcomeCte(outcome, f, remissionBelow)}
    select b.unit, o.y, bl.score::float8 as baseline, b.age, b.sex, b.substance
    from base b join outcome o on o.episode_id = b.episode_id left join baseline bl on bl.episode_id = b.episode_id
    order by b.episode_id`.execute(db);
  return rows;
}
