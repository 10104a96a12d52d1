import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import { givenListFilters, NO_LIST_FILTERS } from '../filters';
import { groupExpression, listFilterConditions, requestScope, type GroupColumns } from '../sql/scope';
import type { MeasureContext, MeasureSpec } from './spec';
import { ageStratumExpression } from './strata';
import { windowLabel } from './window';

/**
 * The per-episode measure model `episode_measure_rows` (docs/measures.md "Speed"): for
 * every registered measure, one row per initial-population episode with its dimensions,
 * its index date, `closed_label` and `open_until` (./window.ts) and the figures behind the
 * group statistics (`stats`), computed by the measure's own SQL as of the latest fact
 * (`model_state.measures_through`) at every model refresh (./model-build.ts).
 *
 * A request reads it, instead of evaluating the measure's SQL over the facts, when the
 * answer is the same:
 * - the models are current (`model_state.stale`, kept by triggers on every table the
 *   measures read, the follow-up interviews included);
 * - as_of is on or after `measures_through`, the latest date of any fact, admission,
 *   discharge, first contact or evaluation the rows were computed from: cutting the facts
 *   at as_of then changes nothing, and every discharge the rows saw is visible as of as_of,
 *   so only window_open depends on as_of, and `windowLabel` applies it;
 * - the options are the model's: every diagnosis required (not `any_diagnosis`) and no
 *   configured holidays (the model counts business days by the federal holidays alone);
 * - no audit rows are asked for (they carry windows and scores the model does not keep).
 * Otherwise the measure reads the facts, which honour any as_of and option.
 */

export const MEASURE_MODEL = 'episode_measure_rows';

/** A cell of the one pass over a measure's rows: group, age stratum, label and whether the birth year is missing. */
export interface CellRow { grp: string | null; age_stratum: string | null; label: string; no_birth_year: boolean; n: number }
export interface StatsRow { grp: string; stats: Record<string, unknown> }

/** Where a request reads: the facts, the per-episode model rows, or the measure rollup. */
export type MeasureSource = 'facts' | 'model' | 'rollup';

/** The groupings the rollup holds: by track and by index-date period, one way or two. */
const ROLLUP_GROUPS: ReadonlySet<string> = new Set(['track', 'period']);

/**
 * Where this request reads (the conditions above); rows are the caller's. The rollup
 * answers, besides, a request grouped by track and/or period with no list filter, no
 * index-date range and no caseload, as the metric rollups do.
 */
export async function measureSource(db: Kysely<DB>, ctx: MeasureContext): Promise<MeasureSource> {
  if (!(await measureModelAnswers(db, ctx))) return 'facts';
  const f = ctx.filters;
  const rollup = givenListFilters(f).length === 0 && !f.caseload && f.from === null && f.to === null
    && f.group_by.every((d) => ROLLUP_GROUPS.has(d));
  return rollup ? 'rollup' : 'model';
}

/** Whether the measure model answers this request (the conditions above, without the rows). */
export async function measureModelAnswers(db: Kysely<DB>, ctx: MeasureContext): Promise<boolean> {
  if (ctx.options.any_diagnosis || ctx.options.holidays.length > 0) return false;
  const { rows } = await sql<{ stale: boolean; measures_through: string | null }>`
    select stale, measures_through::text as measures_through from model_state`.execute(db);
  const state = rows[0];
  if (!state || state.stale) return false;
  return state.measures_through === null || state.measures_through <= ctx.filters.as_of;
}

/** `k` of the statistics relation: the value of the measure's distribution slot, else null. */
export function distributionValue(spec: MeasureSpec, stats: RawBuilder<unknown>): RawBuilder<number | null> {
  return spec.distributionSlot ? sql<number>`(${stats})[${sql.lit(spec.distributionSlot)}]` : sql<null>`null::int`;
}

const col = (c: string) => sql.ref(`r.${c}`) as never;
const AGE_AT_INDEX = sql<number | null>`(extract(year from r.index_date)::int - r.birth_year)`;

/** The model row's episode dimensions, as `measure_episodes` scopes them (admission, age at admission). */
const SCOPE_COLUMNS: GroupColumns = {
  episodeId: col('episode_id'),
  track: col('track_code'),
  admitted: col('admitted_on'),
  sex: col('sex'),
  substance: col('primary_substance'),
  age: sql`(extract(year from r.admitted_on)::int - r.birth_year)`,
  site: col('site_code'),
  clinician: col('clinician_id'),
  race: col('race'),
  ethnicity: col('ethnicity'),
};

/** …and as `measure_rows` groups them: the period and the age of the index date. */
const STRATUM_COLUMNS: GroupColumns = { ...SCOPE_COLUMNS, admitted: col('index_date'), age: AGE_AT_INDEX };

/** The request's rows of one measure: the scope, the index-date range and the age band of ./run.ts, on the model. */
function modelScope(spec: MeasureSpec, ctx: MeasureContext): RawBuilder<unknown> {
  const f = ctx.filters;
  return sql`r.measure = ${spec.name}
    and ${requestScope({ ...f, from: null, to: null, age_band: null }, SCOPE_COLUMNS)}
    and ${f.from ? sql`r.index_date >= ${f.from}::date` : sql`true`}
    and ${f.to ? sql`r.index_date <= ${f.to}::date` : sql`true`}
    and ${listFilterConditions({ ...NO_LIST_FILTERS, age_band: f.age_band, period: f.period }, STRATUM_COLUMNS)}`;
}

/** The label counts per group, age stratum and missing birth year: one grouped scan of the measure's rows. */
export function modelCells(spec: MeasureSpec, ctx: MeasureContext, source: 'model' | 'rollup'): RawBuilder<CellRow> {
  const asOf = sql`${ctx.filters.as_of}::date`;
  if (source === 'rollup') {
    return sql<CellRow>`
      select ${groupExpression(ctx.filters, ROLLUP_COLUMNS)} as grp, r.age_stratum, ${windowLabel(asOf, 'r')} as label,
        r.no_birth_year, sum(r.n)::int as n
      from ${sql.table(MEASURE_ROLLUP)} r
      where r.measure = ${spec.name}
      group by 1, 2, 3, 4`;
  }
  return sql<CellRow>`
    select ${groupExpression(ctx.filters, STRATUM_COLUMNS)} as grp,
      ${ageStratumExpression(spec.ageStrata ?? [], AGE_AT_INDEX)} as age_stratum,
      ${windowLabel(asOf, 'r')} as label,
      (r.birth_year is null) as no_birth_year, count(*)::int as n
    from ${sql.table(MEASURE_MODEL)} r
    where ${modelScope(spec, ctx)}
    group by 1, 2, 3, 4`;
}

/** The measure's group statistics over the stored per-episode figures of the request's rows (or their rollup sums). */
export function modelStatistics(spec: MeasureSpec, ctx: MeasureContext, source: 'model' | 'rollup'): RawBuilder<StatsRow> {
  if (!spec.statistics) throw new Error(`measure ${spec.name} has no statistics`);
  const rows = source === 'rollup'
    ? sql`select ${groupExpression(ctx.filters, ROLLUP_COLUMNS)} as grp, r.admitted_month as admitted_on, r.n, r.k, r.stats
        from ${sql.table(MEASURE_ROLLUP)} r where r.measure = ${spec.name}`
    : sql`select ${groupExpression(ctx.filters, STRATUM_COLUMNS)} as grp, r.admitted_on, 1 as n, ${distributionValue(spec, sql`r.stats`)} as k, r.stats
        from ${sql.table(MEASURE_MODEL)} r where ${modelScope(spec, ctx)}`;
  return sql<StatsRow>`with measure_stats as (${rows}),
    measure_statistics as (${spec.statistics(ctx)})
    select grp, stats from measure_statistics`;
}

/**
 * The measure rollup `measure_cells`: the model rows counted per measure, track, index
 * month, admission month, age stratum, missing birth year, closed label, open_until and
 * `k` (the distribution slot's value), with the sums of their statistics slots. Kept by
 * every refresh (./model-build.ts) with the model rows.
 */
export const MEASURE_ROLLUP = 'measure_cells';

/** The rollup row's dimensions: track, and the index month for the period. */
const ROLLUP_COLUMNS: GroupColumns = {
  episodeId: null, track: col('track_code'), admitted: col('index_month'),
  sex: null, substance: null, age: null, site: null, clinician: null, race: null, ethnicity: null,
};
