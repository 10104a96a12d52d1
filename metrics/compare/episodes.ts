import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import type { FactsThrough } from '../../warehouse/models/state';
import {
  countedTest, ietDay, inBaselineWindow, inEndOfTreatment, inEngagementWindow, inFollowupRange, inInitiationWindow, isEngaged, isFollowupAfter,
} from '../../warehouse/models/per-episode';
import { POSITIVE_REASONS } from '../../warehouse/rules';
import type { MetricFilters } from '../filters';
import { modelsAnswer } from '../source';
import { modelColumns, modelQuery, scopeConditions } from '../sql/model-scope';
import { dimensionExpression, FACT_COLUMNS, scopedEpisodes, type GroupColumns } from '../sql/scope';
import type { Adjuster, CompareBy, EpisodeOutcome } from './request';

/**
 * One row per episode of a comparison (docs/comparisons.md "Outcomes"): its unit, its
 * binary outcome and its case-mix covariates. Only the episodes an outcome is defined for
 * are returned (its denominator), in episode order. They are read from the per-episode
 * models (`episode_outcomes`, and `episode_instrument_outcomes` for the baseline score and
 * the follow-up) when those give the same answer, as the metric families decide
 * (metrics/source.ts), and from the facts for any other as_of. The windows and
 * per-episode rules are the builders of warehouse/models/per-episode.ts and the constants
 * of warehouse/rules.ts, the same the metric families and the models use.
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
 * The episodes of an adjusted comparison grouped by covariate pattern: the values of the
 * covariates the model uses (the others blank: null, or '' for sex and substance), and per
 * unit with episodes of that pattern (a cell), its episodes `n` and how many had the
 * outcome (`events`), in three parallel arrays. The grouped binomial data give the same fit
 * as the episodes one by one (docs/comparisons.md "The model"); metrics/compare/adjusted.ts
 * fits them.
 */
export interface ComparePattern {
  baseline: number | null;
  age: number | null;
  sex: string;
  substance: string;
  units: string[];
  n: number[];
  events: number[];
}

export type CompareSource = 'facts' | 'model';

/**
 * The model's columns for a comparison: the metric families' model columns plus the unit
 * columns episode_outcomes carries for comparisons (migration 2026-12-06T1637-model-units).
 */
export const COMPARE_MODEL_COLUMNS: GroupColumns = {
  ...modelColumns('o'), site: sql`o.site_code`, clinician: sql`o.clinician_id`, race: sql`o.race`, ethnicity: sql`o.ethnicity`,
};

/**
 * The key each unit or equity group reads: the dimension's key as the metrics group by it
 * (metrics/sql/scope.ts), so a missing value is the key `unknown` and race and ethnicity
 * are compared lower-cased. Episodes without a primary clinician or site form a unit of
 * their own, never a silent drop.
 */
export function unitKey(by: CompareBy, f: Pick<MetricFilters, 'period'>, c: GroupColumns): RawBuilder<string> {
  return dimensionExpression(by, f.period, c);
}

/**
 * The fact dates a comparison's rows summarise: the outcome's facts, and the scores when
 * the baseline is a covariate. Completion and positive discharge read no fact.
 */
export function compareDependsOn(outcome: EpisodeOutcome, baseline: boolean): (keyof FactsThrough)[] {
  const of: Record<EpisodeOutcome, (keyof FactsThrough)[]> = {
    completion: [], positive_discharge: [], engagement: ['attendance_through'], remission: ['scores_through'], abstinence: ['tests_through'],
  };
  return [...new Set([...of[outcome], ...(baseline ? ['scores_through' as const] : [])])];
}

/**
 * The models answer when they are current and no fact they summarise for this comparison
 * is dated after as_of (docs/metrics.md "Models and as_of"); the facts otherwise.
 */
export async function compareSource(db: Kysely<DB>, outcome: EpisodeOutcome, baseline: boolean, f: MetricFilters): Promise<CompareSource> {
  return (await modelsAnswer(db, compareDependsOn(outcome, baseline), f.as_of)) ? 'model' : 'facts';
}

/**
 * The first score on the instrument in the baseline window (docs/metrics.md "Symptom
 * change"), as CTEs `<prefix>scores` and `<prefix>baseline(episode_id, baseline_on, score)`
 * over the episodes of the CTE `base` (episode_id, admitted_on, discharged_on).
 */
export function baselineScores(f: MetricFilters, base = 'base', prefix = ''): RawBuilder<unknown> {
  const scores = sql.id(`${prefix}scores`);
  return sql`${scores} as (
    select b.episode_id, b.discharged_on, a.administered_on as on_day, a.total_score as score, a.administered_on - b.admitted_on as day
    from ${sql.id(base)} b join assessments a on a.episode_id = b.episode_id
    where a.instrument = ${f.instrument} and a.administered_on <= ${f.as_of}::date
  ),
  ${sql.id(`${prefix}baseline`)} as (
    select distinct on (episode_id) episode_id, on_day as baseline_on, score
    from ${scores} where ${inBaselineWindow(sql`day`)}
    order by episode_id, on_day
  )`;
}

/** `outcome(episode_id, y)`: the outcome's denominator and whether each episode had it. */
function outcomeCte(outcome: EpisodeOutcome, f: MetricFilters, remissionBelow: number | null): RawBuilder<unknown> {
  switch (outcome) {
    case 'completion':
      return sql`outcome as (select episode_id, discharge_reason = 'completed' as y from base where discharged_on is not null)`;
    case 'positive_discharge':
      return sql`outcome as (select episode_id, discharge_reason = any(${[...POSITIVE_REASONS]}::text[]) as y from base where discharged_on is not null)`;
    case 'engagement':
      // HEDIS IET as docs/metrics.md adapts it, over every episode admitted by as_of.
      return sql`sessions as (
        select b.episode_id, a.session_date, ${ietDay(sql`a.session_date`, sql`b.first_contact_on`, sql`b.admitted_on`)} as iet_day
        from base b join attendance a on a.episode_id = b.episode_id
        where a.session_date between b.admitted_on and b.ends_on and a.status = 'attended' and a.session_date <= ${f.as_of}::date
      ),
      initiation as (
        select episode_id, min(session_date) as initiated_on from sessions where ${inInitiationWindow(sql`iet_day`)} group by episode_id
      ),
      later as (
        select i.episode_id, count(distinct x.session_date) as later
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

function factRows(outcome: EpisodeOutcome, by: CompareBy, f: MetricFilters, remissionBelow: number | null): RawBuilder<CompareEpisodeRow & { episode_id: string }> {
  const scope: MetricFilters = { ...f, group_by: ['track'] };
  return sql<CompareEpisodeRow & { episode_id: string }>`
    with ${scopedEpisodes(scope)},
    base as (
      select s.episode_id, s.admitted_on, s.first_contact_on, s.discharged_on, s.discharge_reason, s.ends_on,
        ${unitKey(by, f, FACT_COLUMNS)} as unit,
        (extract(year from e.admitted_on)::int - p.birth_year) as age,
        ${dimensionExpression('sex', f.period, FACT_COLUMNS)} as sex,
        ${dimensionExpression('substance', f.period, FACT_COLUMNS)} as substance
      from scoped s join episodes e on e.episode_id = s.episode_id left join patients p on p.patient_id = e.patient_id
    ),
    ${baselineScores(f)},
    ${outcomeCte(outcome, f, remissionBelow)}
    select b.episode_id, b.unit, o.y, bl.score::float8 as baseline, b.age, b.sex, b.substance
    from base b join outcome o on o.episode_id = b.episode_id left join baseline bl on bl.episode_id = b.episode_id`;
}

/**
 * The outcome's denominator and event on a model row `o` (and its instrument row `i`):
 * the same rules as `outcomeCte`, stored per episode at refresh. What depends on as_of is
 * applied here: an episode discharged after as_of is still open (`closed` false).
 */
function modelOutcome(outcome: EpisodeOutcome, closed: RawBuilder<boolean>, remissionBelow: number | null): { where: RawBuilder<unknown>; y: RawBuilder<boolean> } {
  switch (outcome) {
    case 'completion':
      return { where: closed, y: sql<boolean>`o.discharge_reason = 'completed'` };
    case 'positive_discharge':
      return { where: closed, y: sql<boolean>`o.discharge_reason = any(${[...POSITIVE_REASONS]}::text[])` };
    case 'engagement':
      // HEDIS IET inside the episode, as the attendance family reads it from the model.
      return { where: sql`true`, y: sql<boolean>`o.iet_engaged` };
    case 'remission':
      // The follow-up is stored only when it is far enough after a baseline.
      return { where: sql`${closed} and i.followup_score is not null`, y: sql<boolean>`i.followup_score < ${remissionBelow}::float8` };
    case 'abstinence':
      return { where: sql`${closed} and o.eot_tests > 0`, y: sql<boolean>`o.eot_negative = o.eot_tests` };
  }
}

/**
 * The rows from the models: one scan of `episode_outcomes` in the request's scope, joined
 * to the instrument's row of `episode_instrument_outcomes` when the baseline is a
 * covariate or the outcome is remission. `baseline` false leaves every baseline null: no
 * model that leaves the baseline out reads it.
 */
function modelRows(
  outcome: EpisodeOutcome, by: CompareBy, f: MetricFilters, remissionBelow: number | null, baseline: boolean,
): RawBuilder<CompareEpisodeRow & { episode_id: string }> {
  const closed = sql<boolean>`(o.discharged_on is not null and o.discharged_on <= ${f.as_of}::date)`;
  const { where, y } = modelOutcome(outcome, closed, remissionBelow);
  const instrument = baseline || outcome === 'remission';
  const join = instrument
    ? sql`${sql.raw(outcome === 'remission' ? 'join' : 'left join')} episode_instrument_outcomes i on i.episode_id = o.episode_id and i.instrument = ${f.instrument}`
    : sql``;
  return sql<CompareEpisodeRow & { episode_id: string }>`
    select o.episode_id, ${unitKey(by, f, COMPARE_MODEL_COLUMNS)} as unit, ${y} as y, ${instrument ? sql`i.baseline_score` : sql`null::float8`} as baseline,
      o.age_at_admission as age, ${dimensionExpression('sex', f.period, COMPARE_MODEL_COLUMNS)} as sex,
      ${dimensionExpression('substance', f.period, COMPARE_MODEL_COLUMNS)} as substance
    from episode_outcomes o ${join}
    where ${scopeConditions(f, COMPARE_MODEL_COLUMNS, false)} and ${where}`;
}

/** The rows of `source` (the models in one small transaction of their own, metrics/sql/model-scope.ts). */
function run<T>(db: Kysely<DB>, source: CompareSource, query: RawBuilder<T>): Promise<T[]> {
  return source === 'model'
    ? modelQuery(db, async (trx) => (await query.execute(trx)).rows)
    : query.execute(db).then((r) => r.rows);
}

/**
 * The rows of a comparison from `source` (compareSource decides it), in episode order.
 * `baseline` false: the model leaves the baseline out, and the model path does not read
 * it (every baseline null).
 */
export async function compareEpisodes(
  db: Kysely<DB>, outcome: EpisodeOutcome, by: CompareBy, f: MetricFilters, remissionBelow: number | null,
  source: CompareSource, baseline = true,
): Promise<CompareEpisodeRow[]> {
  const rows = source === 'model' ? modelRows(outcome, by, f, remissionBelow, baseline) : factRows(outcome, by, f, remissionBelow);
  return run(db, source, sql<CompareEpisodeRow>`select r.unit, r.y, r.baseline, r.age, r.sex, r.substance from (${rows}) r order by r.episode_id`);
}

/**
 * The same episodes grouped by covariate pattern (`ComparePattern`), with the units' cells
 * of each pattern, in one grouped scan returned as one JSON document: at 200k episodes
 * and 300 clinicians, 16k patterns over 170k cells, where a row per episode or per cell
 * costs more to send and read than the grouping.
 */
export async function comparePatterns(
  db: Kysely<DB>, outcome: EpisodeOutcome, by: CompareBy, f: MetricFilters, remissionBelow: number | null,
  source: CompareSource, adjustFor: readonly Adjuster[],
): Promise<ComparePattern[]> {
  const uses = new Set(adjustFor);
  const rows = source === 'model' ? modelRows(outcome, by, f, remissionBelow, uses.has('baseline')) : factRows(outcome, by, f, remissionBelow);
  const col = (a: Adjuster, blank: RawBuilder<unknown>) => (uses.has(a) ? sql.ref(`r.${a}`) : blank);
  const [row] = await run(db, source, sql<{ patterns: [number | null, number | null, string, string, string[], number[], number[]][] }>`
    with cells as (
      select r.unit, ${col('baseline', sql`null::float8`)} as baseline, ${col('age', sql`null::int`)} as age,
        ${col('sex', sql`''`)} as sex, ${col('substance', sql`''`)} as substance,
        count(*)::int as n, (count(*) filter (where r.y))::int as events
      from (${rows}) r
      group by 1, 2, 3, 4, 5
    ),
    patterns as (
      select baseline, age, sex, substance, array_agg(unit) as units, array_agg(n) as n, array_agg(events) as events
      from cells group by 1, 2, 3, 4
    )
    select coalesce(json_agg(json_build_array(baseline, age, sex, substance, units, n, events)), '[]'::json) as patterns from patterns`);
  return (row?.patterns ?? []).map(([baseline, age, sex, substance, units, n, events]) => ({ baseline, age, sex, substance, units, n, events }));
}
