import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../../../warehouse/db-types';
import type { MetricFilters } from '../../filters';
import { groupExpression, type GroupColumns } from '../scope';

const MODEL_COLUMNS: GroupColumns = {
  track: sql`o.track_code`,
  admitted: sql`o.admitted_on`,
  sex: sql`o.sex`,
  substance: sql`o.primary_substance`,
  age: sql`o.age_at_admission`,
};

/**
 * The scoped episodes read from `episode_outcomes`, as a subquery `s` with every model
 * column plus `grp`, `closed` (discharged on or before as_of) and `ends_on` (discharge,
 * or as_of while open): the same episodes, strata and as-of rules as `scopedEpisodes`.
 * Model columns that depend on as_of (discharge, reason) are masked by the queries
 * through `closed`.
 */
export function scopedModel(f: MetricFilters): RawBuilder<unknown> {
  const asOf = sql`${f.as_of}::date`;
  const closed = sql`(o.discharged_on is not null and o.discharged_on <= ${asOf})`;
  return sql`(
    select o.*, ${groupExpression(f.group_by, f.period, MODEL_COLUMNS)} as grp, ${closed} as closed,
      case when ${closed} then o.discharged_on else ${asOf} end as ends_on
    from episode_outcomes o
    where o.admitted_on <= ${asOf}
      and ${f.track ? sql`o.track_code = any(${f.track}::text[])` : sql`true`}
      and ${f.from ? sql`o.admitted_on >= ${f.from}::date` : sql`true`}
      and ${f.to ? sql`o.admitted_on <= ${f.to}::date` : sql`true`}
  ) s`;
}

/**
 * Runs one model query with JIT off: these are single scans of a narrow table, where
 * compiling the wide aggregate lists costs more than the scan itself. `set_config(…,
 * true)` lasts until the end of this small transaction only.
 */
export async function withoutJit<T>(db: Kysely<DB>, query: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('jit', 'off', true)`.execute(trx);
    return query(trx);
  });
}

/** `sum(<array>[week + 1])::int as <prefix>_<week>` for weeks 0…last. */
export function weeklySums(column: string, prefix: string, lastWeek: number): RawBuilder<unknown> {
  return sql.join(Array.from({ length: lastWeek + 1 }, (_, w) =>
    sql`coalesce(sum(${sql.ref(column)}[${sql.lit(w + 1)}]), 0)::int as ${sql.ref(`${prefix}_${w}`)}`));
}

/** Reads `<prefix>_<week>` back out of a row. */
export function weekValue(row: Record<string, unknown>, prefix: string, week: number): number {
  const v = row[`${prefix}_${week}`];
  return typeof v === 'number' ? v : Number(v ?? 0);
}
