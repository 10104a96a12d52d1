import { sql, type RawBuilder } from 'kysely';
import { LAST_WEEK } from '../rules';

/** The weeks of the weekly series (warehouse/rules.ts `LAST_WEEK`), one model column each. */
export const WEEKS: readonly number[] = Array.from({ length: LAST_WEEK + 1 }, (_, w) => w);

/**
 * Weekly counts are summed as packed bigints: 4 weeks per bigint, 15 bits a week, so a
 * session adds 1 << (15 · (week mod 4)) to the sum of its part (week div 4). Five sums
 * per series instead of one filtered count per week: at one aggregate call per row each,
 * the 17 filters cost more than the rest of the refresh. A week holds at most 32 767
 * sessions of one episode, which no program reaches (4 681 a day).
 */
const BITS = 15;
const PER_PART = 4;
const PARTS = Math.ceil(WEEKS.length / PER_PART);
const MASK = (1 << BITS) - 1;

/** Per-row columns `<name>_p0 … _p4` for a week expression (null when the row has no week). */
export function packedWeekColumns(name: string, week: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql.join(Array.from({ length: PARTS }, (_, p) =>
    sql`case when ${week} / ${sql.lit(PER_PART)} = ${sql.lit(p)} then 1::bigint << (${sql.lit(BITS)} * (${week} % ${sql.lit(PER_PART)})) end as ${sql.ref(`${name}_p${p}`)}`));
}

/** The sums of those columns, as `<name>_s0 … _s4`. */
export function packedWeekSums(name: string): RawBuilder<unknown> {
  return sql.join(Array.from({ length: PARTS }, (_, p) => sql`sum(${sql.ref(`${name}_p${p}`)})::bigint as ${sql.ref(`${name}_s${p}`)}`));
}

/** The model column of one week of a series: `<series>_w<week>` (migration 2026-11-27T1000). */
export function weekColumn(series: string, week: number): string {
  return `${series}_w${week}`;
}

/** `<series>_w0, …, <series>_w16`, for an insert's column list. */
export function weekColumnList(series: string): RawBuilder<unknown> {
  return sql.join(WEEKS.map((w) => sql.ref(weekColumn(series, w))));
}

/** The 17 weekly counts unpacked from the sums of `prefix.name` (0 when none), for an insert's select list. */
export function unpackWeeks(prefix: string, name: string): RawBuilder<unknown> {
  return sql.join(WEEKS.map((w) => {
    const sum = sql.ref(`${prefix}.${name}_s${Math.floor(w / PER_PART)}`);
    return sql`coalesce((${sum} >> ${sql.lit(BITS * (w % PER_PART))}) & ${sql.lit(MASK)}, 0)::int`;
  }));
}

/** One filtered aggregate per week, as `<series>_w0 … _w16`. */
export function weeklyAggregates(series: string, cell: (week: RawBuilder<unknown>) => RawBuilder<unknown>): RawBuilder<unknown> {
  return sql.join(WEEKS.map((w) => sql`${cell(sql.lit(w))} as ${sql.ref(weekColumn(series, w))}`));
}
