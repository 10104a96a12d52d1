import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import { ALL_TIME, ROLLUPS, type Additive, type RollupModel, type RollupTable } from '../../warehouse/models/rollup';
import type { GroupBy, MetricFilters } from '../filters';
import { groupExpression, inTracks, type GroupColumns } from './scope';
import { modelQuery, scopeConditions, scopedModel } from './model-scope';

/** The rollups hold track and admission day: they serve these strata only, and no list filter (metrics/source.ts). */
export const ROLLUP_GROUPS: ReadonlySet<GroupBy> = new Set(['track', 'period']);

const ROLLUP_COLUMNS: GroupColumns & { instrument: RawBuilder<string> } = {
  episodeId: null,
  track: sql`r.track_code`,
  admitted: sql`r.admitted_on`,
  instrument: sql`r.instrument`,
  sex: null,
  substance: null,
  age: null,
  site: null,
  clinician: null,
  race: null,
  ethnicity: null,
};

/**
 * The additive figures `names` of the scoped episodes of `model`, as a subquery `s` of
 * (grp, figure…) rows whose sums per group are the metric's totals. With `useRollup`,
 * they come summed from the track-day rollup, a row per (track, admission day, open or
 * discharged), a figure that depends on as_of computed for the open rows (`openAt`);
 * otherwise one row per scoped episode from the model. Both give the same sums, exactly:
 * every figure is an integer or a numeric.
 */
export function additiveSource(f: MetricFilters, model: RollupModel, names: readonly string[], useRollup: boolean): RawBuilder<unknown> {
  const { table, additives } = model === 'episode_outcomes' ? ROLLUPS.track_day_outcomes : ROLLUPS.track_day_instrument_outcomes;
  const picked = names.map((name) => {
    const a = additives.find((x) => x.name === name);
    if (!a) throw new Error(`no additive figure ${name} in ${table}`);
    return a;
  });
  if (!useRollup) {
    return sql`(
      select s.grp, ${sql.join(picked.map((a: Additive) => sql`${a.perEpisode} as ${sql.ref(a.name)}`))}
      from ${scopedModel(f, model)}
    ) s`;
  }
  const asOf = sql`${f.as_of}::date`;
  const figure = (a: Additive) => (a.openAt ? sql`case when r.open then ${a.openAt('r', asOf)} else ${sql.ref(`r.${a.name}`)} end` : sql.ref(`r.${a.name}`));
  return sql`(
    select ${groupExpression(f, ROLLUP_COLUMNS)} as grp, ${sql.join(picked.map((a) => sql`${figure(a)} as ${sql.ref(a.name)}`))}
    from ${sql.table(table)} r
    where ${scopeConditions(f, ROLLUP_COLUMNS, model === 'episode_instrument_outcomes')}
  ) s`;
}

/** Scoped episodes per group, counted from the stays (`stay_counts` with `useRollup`, every episode, open ones too). */
export async function groupSizesFromModel(db: Kysely<DB>, f: MetricFilters, useRollup = false): Promise<Map<string, number>> {
  const { rows } = await modelQuery(db, (trx) => sql<{ grp: string; n: number }>`
    select s.grp, sum(s.n)::int as n from ${countSource(f, 'stay_counts', useRollup)} group by s.grp`.execute(trx));
  return new Map(rows.map((r) => [String(r.grp), Number(r.n)]));
}

/** Whether the request groups by `d` alone. */
export function isOneWay(f: Pick<MetricFilters, 'group_by'>, d: GroupBy): boolean {
  return f.group_by.length === 1 && f.group_by[0] === d;
}

/** The first day of `date`'s month, or of the next month (`next`), as YYYY-MM-DD. */
function monthStart(date: string, next = false): string {
  const [y, m] = date.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + (next ? 1 : 0), 1));
  return d.toISOString().slice(0, 10);
}

/**
 * The admission months wholly inside the request's from–to range, as [first day, first
 * day after): a count rollup answers for the discharged episodes admitted in them, and
 * the model for those of the months the range cuts (`null`: no bound).
 */
export function wholeMonths(f: Pick<MetricFilters, 'from' | 'to'>): { from: string | null; before: string | null } {
  const from = f.from ? (f.from.endsWith('-01') ? f.from : monthStart(f.from, true)) : null;
  let before: string | null = null;
  if (f.to) {
    const next = monthStart(f.to, true);
    const lastDay = new Date(Date.parse(`${next}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    before = f.to === lastDay ? next : monthStart(f.to);
  }
  return { from, before };
}

/**
 * The scoped episodes of a count rollup's model (`stay_counts`, `relapse_counts`,
 * `pair_counts`: warehouse/models/rollup.ts) as a subquery `s` of (grp, key columns…, n)
 * rows whose sums of `n` per value are the metric's count table. `open` says whether the
 * episode was open at as_of; the metric applies as_of to an open episode's values.
 *
 * With `useRollup`: the open episodes and the discharged ones of the whole admission
 * months in range come from the rollup, the discharged ones of months the from–to range
 * cuts from the model (none without from or to). A request by track over every month
 * reads the discharged episodes from the rollup's all-time rows. Otherwise every scoped
 * episode comes from the model, through the same key expressions, with n = 1.
 */
export function countSource(f: MetricFilters, table: Extract<RollupTable, 'stay_counts' | 'relapse_counts' | 'pair_counts'>, useRollup: boolean): RawBuilder<unknown> {
  const { model, key, rows } = ROLLUPS[table];
  const oneInstrument = model === 'episode_instrument_outcomes';
  const live = (where: RawBuilder<unknown>) => sql`
    select s.grp, ${sql.join(key.map((k) => sql`${k.perEpisode} as ${sql.ref(k.name)}`))}, 1 as n
    from ${scopedModel(f, model)}
    where ${rows} and ${where}`;
  if (!useRollup) return sql`(${live(sql`true`)}) s`;
  if (f.caseload) throw new Error('a caseload request cannot read the rollups (metrics/source.ts)');
  const months = wholeMonths(f);
  const inWholeMonths = (alias: string) => sql`${sql.ref(`${alias}.admitted_on`)} >= ${months.from ?? '-infinity'}::date
    and ${months.before ? sql`${sql.ref(`${alias}.admitted_on`)} < ${months.before}::date` : sql`true`}`;
  // the discharged episodes of every month at once, or month by month
  const closedRows = !f.from && !f.to && isOneWay(f, 'track') ? sql`r.admitted_on = ${ALL_TIME}::date` : sql`r.admitted_on > ${ALL_TIME}::date and ${inWholeMonths('r')}`;
  const cut = f.from || f.to ? sql`union all ${live(sql`s.closed and not (${inWholeMonths('s')})`)}` : sql``;
  return sql`(
    select ${groupExpression(f, ROLLUP_COLUMNS)} as grp, ${sql.join(key.map((k) => sql.ref(`r.${k.name}`)))}, r.n
    from ${sql.table(table)} r
    where ${oneInstrument ? sql`r.instrument = ${f.instrument}` : sql`true`}
      and ${inTracks(sql`r.track_code`, f.track)}
      and ((r.open = false and ${closedRows}) or (r.open = true and ${scopeConditions(f, ROLLUP_COLUMNS, oneInstrument)}))
    ${cut}
  ) s`;
}
