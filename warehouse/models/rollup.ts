import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../db-types';
import { WEEKS, weekColumn } from './weekly';

type Executor = Kysely<DB> | Transaction<DB>;

/**
 * The rollups (migration 2026-11-27T1600): per (track, admission day), the sums of the
 * models' additive per-episode figures over the episodes already discharged.
 *
 * An additive figure is one whose group total is a plain sum over episodes: a count, a
 * flag, a whole number of days, a weekly count, a weekly mean in ten-thousandths of a
 * point or its square. All are integers except attendance per week in program, a numeric
 * ratio; numeric and integer sums are exact, so a metric adds rollup rows and model rows
 * in any order and gets the bits it gets from the model alone.
 *
 * Why only discharged episodes: a figure may depend on as_of through `closed`
 * (discharged on or before as_of) and `ends_on` (discharge, or as_of while open). For an
 * episode discharged on or before as_of these are `true` and the discharge date whatever
 * as_of is, so the rollup stores them evaluated that way, and a metric may read the
 * rollups when as_of is on or after the latest discharge in the model. Open episodes are
 * read from the model, through a partial index (`metrics/sql/model/rollup.ts`).
 *
 * Each figure is written once, here, as an expression over a scoped model row `s`
 * (the model's columns plus `closed` and `ends_on`); the rollup stores its sum and a
 * metric sums the rollup rows and the open episodes' own values with the same code.
 */
export interface Additive {
  name: string;
  perEpisode: RawBuilder<unknown>;
}

const add = (name: string, perEpisode: RawBuilder<unknown>): Additive => ({ name, perEpisode });
const flag = (cond: RawBuilder<unknown>): RawBuilder<unknown> => sql`(case when ${cond} then 1 else 0 end)`;
const weekly = (series: string, as: string = series): Additive[] =>
  WEEKS.map((w) => add(weekColumn(as, w), sql.ref(`s.${weekColumn(series, w)}`)));

/** Attended sessions per week in program, `attended · 7 / days`, in numeric (exact when summed). */
export function perWeekRate(attended: RawBuilder<unknown>, days: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`((${attended}) * 7.0 / (${days}))`;
}

const EOT = sql`(s.closed and s.eot_tests > 0)`;
const REPORT_CHANGED = sql`(s.report_latest_on > s.report_intake_on)`;
const REPORT_CHANGE = sql`(s.report_latest_days - s.report_intake_days)`;

/** The additive figures of `episode_outcomes`: group size, attendance and relapse (columns of `track_day_outcomes`). */
export const EPISODE_ADDITIVES: readonly Additive[] = [
  add('n', sql`1`),
  add('attended', sql`s.window_attended`),
  add('no_show', sql`s.window_no_show`),
  add('per_week', perWeekRate(sql`s.window_attended`, sql`s.ends_on - s.admitted_on + 1`)),
  add('initiated', flag(sql`s.iet_initiated`)),
  add('engaged', flag(sql`s.iet_engaged`)),
  ...weekly('attended'),
  ...weekly('no_show'),
  add('tests', sql`s.tests_counted`),
  add('negative', sql`s.tests_negative`),
  add('with_negative', flag(sql`s.first_negative_on is not null`)),
  add('relapsed', flag(sql`s.first_relapse_on is not null`)),
  add('eot_episodes', flag(EOT)),
  add('eot_abstinent', flag(sql`${EOT} and s.eot_negative = s.eot_tests`)),
  add('intake_n', flag(sql`s.report_intake_on is not null`)),
  add('intake_sum', sql`s.report_intake_days::bigint`),
  add('latest_n', flag(sql`s.report_latest_on is not null`)),
  add('latest_sum', sql`s.report_latest_days::bigint`),
  add('change_n', flag(REPORT_CHANGED)),
  add('change_sum', sql`case when ${REPORT_CHANGED} then ${REPORT_CHANGE}::bigint end`),
  add('change_sum_sq', sql`case when ${REPORT_CHANGED} then (${REPORT_CHANGE} * ${REPORT_CHANGE})::bigint end`),
  ...weekly('tests'),
  ...weekly('negative'),
];

/** The additive figures of `episode_instrument_outcomes` (columns of `track_day_instrument_outcomes`). */
export const INSTRUMENT_ADDITIVES: readonly Additive[] = [
  add('n', sql`1`),
  add('with_baseline', flag(sql`s.baseline_score is not null`)),
  ...WEEKS.map((w) => add(weekColumn('scored', w), flag(sql`${sql.ref(`s.${weekColumn('mean_x10k', w)}`)} is not null`))),
  ...WEEKS.map((w) => add(weekColumn('sum_x10k', w), sql.ref(`s.${weekColumn('mean_x10k', w)}`))),
  ...WEEKS.map((w) => {
    const x = sql.ref(`s.${weekColumn('mean_x10k', w)}`);
    return add(weekColumn('sumsq_x10k', w), sql`${x} * ${x}`);
  }),
];

export type RollupModel = 'episode_outcomes' | 'episode_instrument_outcomes';

export const ROLLUPS: Record<RollupModel, { table: 'track_day_outcomes' | 'track_day_instrument_outcomes'; additives: readonly Additive[]; key: readonly string[] }> = {
  episode_outcomes: { table: 'track_day_outcomes', additives: EPISODE_ADDITIVES, key: ['track_code', 'admitted_on'] },
  episode_instrument_outcomes: { table: 'track_day_instrument_outcomes', additives: INSTRUMENT_ADDITIVES, key: ['instrument', 'track_code', 'admitted_on'] },
};

const closedRows = (model: RollupModel, where: RawBuilder<unknown>): RawBuilder<unknown> => sql`(
  select o.*, true as closed, o.discharged_on as ends_on
  from ${sql.table(model)} o
  where o.discharged_on is not null and ${where}
) s`;

/**
 * `insert … select` of the sums, times `sign`, of the closed model rows `where` selects,
 * one row per rollup key; `onConflict` says what to do with a key already there.
 */
async function insertSums(db: Executor, model: RollupModel, where: RawBuilder<unknown>, sign: 1 | -1, onConflict: RawBuilder<unknown>): Promise<void> {
  const { table, additives, key } = ROLLUPS[model];
  const keyRefs = sql.join(key.map((c) => sql.ref(`s.${c}`)));
  await sql`
    insert into ${sql.table(table)} as r (${sql.join([...key, ...additives.map((a) => a.name)].map((c) => sql.ref(c)))})
    select ${keyRefs}, ${sql.join(additives.map((a) => sql`${sql.lit(sign)} * coalesce(sum(${a.perEpisode}), 0)`))}
    from ${closedRows(model, where)}
    group by ${keyRefs}
    ${onConflict}`.execute(db);
}

const MODELS = Object.keys(ROLLUPS) as RollupModel[];

/**
 * Rebuilds the rollups from the models (a full refresh, or a batch touching many
 * episodes). `delete`, not `truncate`: metrics reading the rollups meanwhile see the old
 * rows instead of waiting for the lock.
 */
export async function rebuildRollups(db: Executor): Promise<void> {
  for (const model of MODELS) {
    await sql`delete from ${sql.table(ROLLUPS[model].table)}`.execute(db);
    await insertSums(db, model, sql`true`, 1, sql``);
  }
}

/**
 * Adds (`sign` 1) or subtracts (−1) the given episodes' current model rows to or from
 * the rollups: a partial refresh subtracts them before it rewrites the episodes and adds
 * them after, so each rollup row stays the sum of the model rows of its (track, day)
 * at the cost of reading only the touched episodes. Sums of integers and numerics make
 * this exact. Rows left summing no episode are dropped.
 */
export async function applyToRollups(db: Executor, episodeIds: readonly string[], sign: 1 | -1): Promise<void> {
  for (const model of MODELS) {
    const { table, additives, key } = ROLLUPS[model];
    await insertSums(db, model, sql`o.episode_id = any(${episodeIds}::text[])`, sign, sql`
      on conflict (${sql.join(key.map((c) => sql.ref(c)))}) do update set
        ${sql.join(additives.map((a) => sql`${sql.ref(a.name)} = ${sql.ref(`r.${a.name}`)} + ${sql.ref(`excluded.${a.name}`)}`))}`);
    await sql`delete from ${sql.table(table)} where n = 0`.execute(db);
  }
}
