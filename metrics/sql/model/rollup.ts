import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../../warehouse/db-types';
import { ROLLUPS, type Additive, type RollupModel } from '../../../warehouse/models/rollup';
import type { MetricFilters } from '../../filters';
import { groupExpression, type GroupColumns } from '../scope';
import { modelQuery, scopeConditions, scopedModel } from './scope';

/** The rollups hold track and admission day: they serve these strata only. */
const ROLLUP_GROUPS: ReadonlySet<MetricFilters['group_by']> = new Set(['track', 'period']);

const unavailable = sql<null>`null`;
const ROLLUP_COLUMNS: GroupColumns = {
  track: sql`r.track_code`,
  admitted: sql`r.admitted_on`,
  sex: unavailable,
  substance: unavailable,
  age: unavailable,
};

/**
 * Whether a request may read the rollups (warehouse/models/rollup.ts): it is stratified
 * by track or admission period, and as_of falls on or after the latest discharge in the
 * model (read from its index), so every episode the rollups hold is closed as of as_of,
 * with the figures they store. (A later discharge, or an as_of in the past, reads every
 * episode from the model.)
 */
export async function rollupApplies(db: Kysely<DB>, f: MetricFilters): Promise<boolean> {
  if (!ROLLUP_GROUPS.has(f.group_by)) return false;
  const { rows } = await sql<{ settled: string | null }>`select max(discharged_on)::text as settled from episode_outcomes`.execute(db);
  const settled = rows[0]?.settled ?? null;
  return settled === null || settled <= f.as_of;
}

/**
 * The additive figures `names` of the scoped episodes of `model`, as a subquery `s` of
 * (grp, figure…) rows whose sums per group are the metric's totals. With `useRollup`,
 * the discharged episodes come summed from the rollup, a row per (track, admission day),
 * and only the open ones from the model (through its partial index); otherwise one row
 * per scoped episode from the model. Both give the same sums, exactly: every figure is
 * an integer or a numeric.
 */
export function additiveSource(f: MetricFilters, model: RollupModel, names: readonly string[], useRollup: boolean): RawBuilder<unknown> {
  const { table, additives } = ROLLUPS[model];
  const picked = names.map((name) => {
    const a = additives.find((x) => x.name === name);
    if (!a) throw new Error(`no additive figure ${name} in ${table}`);
    return a;
  });
  const live = sql`
    select s.grp, ${sql.join(picked.map((a: Additive) => sql`${a.perEpisode} as ${sql.ref(a.name)}`))}
    from ${scopedModel(f, model)}
    where ${useRollup ? sql`s.discharged_on is null` : sql`true`}`;
  if (!useRollup) return sql`(${live}) s`;
  return sql`(
    select ${groupExpression(f.group_by, f.period, ROLLUP_COLUMNS)} as grp, ${sql.join(picked.map((a) => sql.ref(`r.${a.name}`)))}
    from ${sql.table(table)} r
    where ${scopeConditions(f, 'r', model === 'episode_instrument_outcomes')}
    union all
    ${live}
  ) s`;
}

/** Scoped episodes per group, from `episode_outcomes` (the discharged ones summed from the rollup with `useRollup`). */
export async function groupSizesFromModel(db: Kysely<DB>, f: MetricFilters, useRollup = false): Promise<Map<string, number>> {
  const { rows } = await modelQuery(db, (trx) => sql<{ grp: string; n: number }>`
    select s.grp, sum(s.n)::int as n from ${additiveSource(f, 'episode_outcomes', ['n'], useRollup)} group by s.grp`.execute(trx));
  return new Map(rows.map((r) => [String(r.grp), Number(r.n)]));
}
