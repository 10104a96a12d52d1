import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../db-types';
import { lastSeenOn, perWeekRate } from './per-episode';
import { WEEKS, weekColumn } from './weekly';

type Executor = Kysely<DB> | Transaction<DB>;

/**
 * The track-day rollups (migrations 2026-11-27T1600 and T1900): per (track, admission
 * day, open or discharged), the sums of the models' additive per-episode figures.
 *
 * An additive figure is one whose group total is a plain sum over episodes: a count, a
 * flag, a whole number of days, a weekly count, a weekly mean in ten-thousandths of a
 * point or its square. All are integers except attendance per week in program, a numeric
 * ratio; numeric and integer sums are exact, so a metric adds rollup rows in any order
 * and gets the bits it gets from the model alone.
 *
 * A figure may depend on as_of through `closed` (discharged on or before as_of) and
 * `ends_on` (discharge, or as_of while open). For an episode discharged on or before
 * as_of these are `true` and the discharge date whatever as_of is, so the rollup stores
 * them evaluated that way, and a metric may read the rollups when as_of is on or after
 * the latest discharge in the model (`metrics/sql/rollup.ts`). An episode still
 * open is open at any such as_of: its row stores `closed` false, and the one figure that
 * depends on `ends_on`, attendance per week, is computed when read (`openAt`): the
 * episodes of an open row share their admission day, so their days in program.
 *
 * Each figure is written once, here, as an expression over a scoped model row `s`
 * (the model's columns plus `closed` and `ends_on`); the rollup stores its sum, and a
 * metric that reads the model sums the same expression.
 */
export interface Additive {
  name: string;
  perEpisode: RawBuilder<unknown>;
  /**
   * A figure that depends on as_of while the episode is open: its value for a track-day
   * rollup row `r` of open episodes at `asOf`, from the row's other sums. (The rollup
   * stores 0 for it in open rows.)
   */
  openAt?: (r: string, asOf: RawBuilder<unknown>) => RawBuilder<unknown>;
}

const add = (name: string, perEpisode: RawBuilder<unknown>): Additive => ({ name, perEpisode });
const flag = (cond: RawBuilder<unknown>): RawBuilder<unknown> => sql`(case when ${cond} then 1 else 0 end)`;
const weekly = (series: string, as: string = series): Additive[] =>
  WEEKS.map((w) => add(weekColumn(as, w), sql.ref(`s.${weekColumn(series, w)}`)));


const EOT = sql`(s.closed and s.eot_tests > 0)`;
const REPORT_CHANGED = sql`(s.report_latest_on > s.report_intake_on)`;
const REPORT_CHANGE = sql`(s.report_latest_days - s.report_intake_days)`;

/** The additive figures of `episode_outcomes`: group size, attendance and relapse (columns of `track_day_outcomes`). */
export const EPISODE_ADDITIVES: readonly Additive[] = [
  add('n', sql`1`),
  add('attended', sql`s.window_attended`),
  add('no_show', sql`s.window_no_show`),
  {
    ...add('per_week', perWeekRate(sql`s.window_attended`, sql`s.ends_on - s.admitted_on + 1`)),
    // the episodes of an open row share their admission day, hence their days in program
    openAt: (r, asOf) => perWeekRate(sql.ref(`${r}.attended`), sql`${asOf} - ${sql.ref(`${r}.admitted_on`)} + 1`),
  },
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

/**
 * The count rollups (migration 2026-11-27T1900) count episodes per (track, admission
 * month, …), keyed by the values a count table of a metric groups on: a Kaplan–Meier day
 * and event, a pair of scores. Those values differ from episode to episode, so a
 * (track, day) holds about as many distinct ones as episodes and only the month
 * compresses them: 200k episodes become about 40,000 stays, 17,000 relapse spells and
 * 45,000 PHQ-9 pairs.
 *
 * A discharged episode is counted under its admission month (`open` false), and an open
 * one, as in the track-day rollups, under its admission day (`open` true), with values
 * that do not depend on as_of (days to the last attended session, for instance); a metric
 * applies as_of to them when it reads them. A key column is a named expression, like a
 * figure.
 *
 * The key expressions are over a scoped model row `s` and use `s.closed`, never the
 * discharge date alone: the rollup build evaluates them with `closed` = discharged, and a
 * metric that reads the model evaluates the same expressions with `closed` = discharged
 * by as_of, so both paths feed one query (metrics/sql/rollup.ts `countSource`).
 */
const OPEN = sql`(not s.closed)`;
/** The admission day of the rows that count the discharged episodes of every month at once. */
export const ALL_TIME = '-infinity';
const ADMITTED_MONTH_OR_DAY = sql`(case when s.closed then date_trunc('month', s.admitted_on)::date else s.admitted_on end)`;
const COUNT_KEY: readonly Additive[] = [add('track_code', sql`s.track_code`), add('admitted_on', ADMITTED_MONTH_OR_DAY), add('open', OPEN)];

/** Stays: `los` is the length of stay of a discharged episode, and the days from admission to the last attended session (or 0) of an open one; `reason` the discharge reason, '' while open. */
export const STAY_KEY: readonly Additive[] = [
  ...COUNT_KEY,
  add('los', sql`(case when s.closed then s.discharged_on - s.admitted_on else ${lastSeenOn(sql`s.last_attended_on`, sql`s.admitted_on`)} - s.admitted_on end)`),
  add('reason', sql`(case when s.closed then coalesce(s.discharge_reason, '') else '' end)`),
];

/** Time to relapse: day 0 = first negative test; event = a later positive; else censored at the last test. */
export const RELAPSE_KEY: readonly Additive[] = [
  ...COUNT_KEY,
  add('km_day', sql`(coalesce(s.first_relapse_on, s.last_test_on) - s.first_negative_on)`),
  add('km_event', sql`(s.first_relapse_on is not null)`),
];

/** Baseline and follow-up scores of the paired episodes. */
export const PAIR_KEY: readonly Additive[] = [
  add('instrument', sql`s.instrument`), ...COUNT_KEY, add('baseline', sql`s.baseline_score`), add('followup', sql`s.followup_score`),
];

export type RollupTable = 'track_day_outcomes' | 'track_day_instrument_outcomes' | 'stay_counts' | 'relapse_counts' | 'pair_counts';

export interface Rollup {
  table: RollupTable;
  model: RollupModel;
  /** Which model rows it sums, a condition on a scoped row `s`. */
  rows: RawBuilder<unknown>;
  key: readonly Additive[];
  additives: readonly Additive[];
  /**
   * Whether the discharged episodes are counted a second time under the admission day
   * `-infinity` (ALL_TIME), every month together: rows for a request with no admission
   * range and no stratum by period, which would otherwise add up every month's rows.
   */
  allTime?: boolean;
}

const COUNT: readonly Additive[] = [add('n', sql`1`)];
const ref = (c: string): Additive => add(c, sql.ref(`s.${c}`));

export const ROLLUPS: Record<RollupTable, Rollup> = {
  track_day_outcomes: {
    table: 'track_day_outcomes', model: 'episode_outcomes', rows: sql`true`,
    key: [ref('track_code'), ref('admitted_on'), add('open', OPEN)], additives: EPISODE_ADDITIVES,
  },
  track_day_instrument_outcomes: {
    table: 'track_day_instrument_outcomes', model: 'episode_instrument_outcomes', rows: sql`true`,
    key: [ref('instrument'), ref('track_code'), ref('admitted_on'), add('open', OPEN)], additives: INSTRUMENT_ADDITIVES,
  },
  stay_counts: { table: 'stay_counts', model: 'episode_outcomes', rows: sql`true`, key: STAY_KEY, additives: COUNT, allTime: true },
  relapse_counts: {
    table: 'relapse_counts', model: 'episode_outcomes', rows: sql`s.first_negative_on is not null`, key: RELAPSE_KEY, additives: COUNT, allTime: true,
  },
  pair_counts: {
    table: 'pair_counts', model: 'episode_instrument_outcomes', rows: sql`s.followup_score is not null`, key: PAIR_KEY, additives: COUNT, allTime: true,
  },
};

/** A model's rows as the rollups see them: `closed` = discharged, `ends_on` = the discharge date. */
const modelRows = (model: RollupModel, where: RawBuilder<unknown>): RawBuilder<unknown> => sql`(
  select o.*, o.discharged_on is not null as closed, o.discharged_on as ends_on
  from ${sql.table(model)} o
  where ${where}
) s`;

/**
 * `insert … select` of the sums, times `sign`, of the model rows `where` selects (and
 * the rollup's own `rows`), one row per rollup key; `onConflict` says what to do with a
 * key already there.
 */
async function insertSums(db: Executor, rollup: Rollup, where: RawBuilder<unknown>, sign: 1 | -1, onConflict: RawBuilder<unknown>): Promise<void> {
  const { table, additives, key, model, rows } = rollup;
  await sql`
    insert into ${sql.table(table)} as r (${sql.join([...key, ...additives].map((c) => sql.ref(c.name)))})
    select ${sql.join(key.map((k) => k.perEpisode))}, ${sql.join(additives.map((a) => sql`${sql.lit(sign)} * coalesce(sum(${a.perEpisode}), 0)`))}
    from ${modelRows(model, where)}
    where ${rows}
    group by ${sql.join(key.map((_, i) => sql.raw(String(i + 1))))}
    ${onConflict}`.execute(db);
}

/** What `insertSums` writes for a rollup: its rows, and with `allTime` its discharged episodes again under ALL_TIME. */
function grains(rollup: Rollup): Rollup[] {
  if (!rollup.allTime) return [rollup];
  const allTime = add('admitted_on', sql`${ALL_TIME}::date`);
  return [rollup, { ...rollup, rows: sql`${rollup.rows} and s.closed`, key: rollup.key.map((k) => (k.name === 'admitted_on' ? allTime : k)) }];
}

const ALL = Object.values(ROLLUPS);

/**
 * Rebuilds the rollups from the models (a full refresh, or a batch touching many
 * episodes). `delete`, not `truncate`: metrics reading the rollups meanwhile see the old
 * rows instead of waiting for the lock.
 */
export async function rebuildRollups(db: Executor): Promise<void> {
  for (const rollup of ALL) {
    await sql`delete from ${sql.table(rollup.table)}`.execute(db);
    for (const grain of grains(rollup)) await insertSums(db, grain, sql`true`, 1, sql``);
  }
}

/**
 * Adds (`sign` 1) or subtracts (−1) the given episodes' current model rows to or from
 * the rollups: a partial refresh subtracts them before it rewrites the episodes and adds
 * them after, so each rollup row stays the sum of the model rows of its key at the cost
 * of reading only the touched episodes. Sums of integers and numerics make this exact.
 * Rows left summing no episode are dropped.
 */
export async function applyToRollups(db: Executor, episodeIds: readonly string[], sign: 1 | -1): Promise<void> {
  for (const rollup of ALL) {
    const { table, additives, key } = rollup;
    for (const grain of grains(rollup)) {
      await insertSums(db, grain, sql`o.episode_id = any(${episodeIds}::text[])`, sign, sql`
        on conflict (${sql.join(key.map((c) => sql.ref(c.name)))}) do update set
          ${sql.join(additives.map((a) => sql`${sql.ref(a.name)} = ${sql.ref(`r.${a.name}`)} + ${sql.ref(`excluded.${a.name}`)}`))}`);
    }
    await sql`delete from ${sql.table(table)} where n = 0`.execute(db);
  }
}
