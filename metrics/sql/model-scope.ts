import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import { weekColumn } from '../../warehouse/models/weekly';
import type { MetricFilters } from '../filters';
import { groupExpression, requestScope, type GroupColumns } from './scope';

/** The model's episode attributes on a row `alias`: it carries no site, clinician, race or ethnicity. */
export function modelColumns(alias: string): GroupColumns {
  const col = (c: string) => sql.ref(`${alias}.${c}`) as never;
  return {
    episodeId: col('episode_id'),
    track: col('track_code'),
    admitted: col('admitted_on'),
    sex: col('sex'),
    substance: col('primary_substance'),
    age: col('age_at_admission'),
    site: null,
    clinician: null,
    race: null,
    ethnicity: null,
  };
}

const MODEL_COLUMNS = { ...modelColumns('o'), instrument: sql<string>`o.instrument` };

/**
 * A model with the episode attributes scoping needs: one row per episode, or per episode
 * and instrument (scoped to `f.instrument`).
 */
export type ModelTable = 'episode_outcomes' | 'episode_instrument_outcomes';

/**
 * The scoped episodes read from `episode_outcomes` (or the episode × instrument model),
 * as a subquery `s` with every model column plus `grp`, `closed` (discharged on or
 * before as_of) and `ends_on` (discharge, or as_of while open): the same episodes,
 * strata and as-of rules as `scopedEpisodes`.
 * Model columns that depend on as_of (discharge, reason) are masked by the queries
 * through `closed`.
 */
export function scopedModel(f: MetricFilters, model: ModelTable = 'episode_outcomes'): RawBuilder<unknown> {
  const asOf = sql`${f.as_of}::date`;
  const closed = sql`(o.discharged_on is not null and o.discharged_on <= ${asOf})`;
  return sql`(
    select o.*, ${groupExpression(f, MODEL_COLUMNS)} as grp, ${closed} as closed,
      case when ${closed} then o.discharged_on else ${asOf} end as ends_on
    from ${sql.table(model)} o
    where ${scopeConditions(f, MODEL_COLUMNS, model === 'episode_instrument_outcomes')}
  ) s`;
}

/**
 * The scope on a row whose dimensions are `c` (and that carries `instrument` when
 * `oneInstrument`, on the alias of its track column): admitted by as_of, the
 * instrument, the tracks, the admission-date range and the list filters of the request.
 */
export function scopeConditions(f: MetricFilters, c: GroupColumns & { instrument?: RawBuilder<string> }, oneInstrument: boolean): RawBuilder<unknown> {
  if (oneInstrument && !c.instrument) throw new Error('scopeConditions: a one-instrument scope needs the instrument column');
  return sql`${oneInstrument && c.instrument ? sql`${c.instrument} = ${f.instrument}` : sql`true`}
      and ${requestScope(f, c)}`;
}

/**
 * Runs one model query in a small transaction of its own, with JIT off and more sort
 * memory (`set_config(…, true)` lasts until its end). These are single scans of a narrow
 * table, where compiling the wide aggregate lists costs more than the scan itself, and
 * where a grouping finer than the stratum (KM days, score pairs) must hash in memory
 * instead of sorting on disk (measured at 200k episodes: 234 ms on disk, 116 ms hashed).
 * The planner's own choice of parallel plan is kept: pricing gathered rows low so that
 * it aggregates in the workers made these narrow count tables slower (the relapse KM
 * days 102 → 66 ms and the completion table 122 → 90 ms without it, at 200k episodes).
 *
 * `oneInstrument`: the query reads one instrument's rows of the episode × instrument
 * model, which a full refresh writes together. The planner prices a third of the table
 * through its index above a sequential scan, but the bitmap scan reads only those pages:
 * 39 ms against 97 ms for the score pairs at 200k episodes.
 */
export async function modelQuery<T>(
  db: Kysely<DB>, query: (trx: Transaction<DB>) => Promise<T>, opts: { oneInstrument?: boolean } = {},
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('jit', 'off', true), set_config('work_mem', '64MB', true)`.execute(trx);
    if (opts.oneInstrument) await sql`select set_config('enable_seqscan', 'off', true)`.execute(trx);
    return query(trx);
  });
}

/** `sum(s.<series>_w<week>)::int as <prefix>_<week>` for weeks 0…last (the model's weekly count columns). */
export function weeklySums(series: string, prefix: string, lastWeek: number): RawBuilder<unknown> {
  return sql.join(Array.from({ length: lastWeek + 1 }, (_, w) =>
    sql`coalesce(sum(${sql.ref(`s.${weekColumn(series, w)}`)}), 0)::int as ${sql.ref(`${prefix}_${w}`)}`));
}

/** Reads `<prefix>_<week>` back out of a row. */
export function weekValue(row: Record<string, unknown>, prefix: string, week: number): number {
  const v = row[`${prefix}_${week}`];
  return typeof v === 'number' ? v : Number(v ?? 0);
}
