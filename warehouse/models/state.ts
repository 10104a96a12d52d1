import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db-types';

type Executor = Kysely<DB> | Transaction<DB>;

export interface FactsThrough {
  attendance_through: string | null;
  scores_through: string | null;
  tests_through: string | null;
}

export interface ModelState extends FactsThrough {
  stale: boolean;
  refreshed_as_of: string | null;
}

/**
 * Records a refresh in `model_state`. A full refresh makes the models current. A
 * partial one clears staleness only when this transaction caused it: ingest changes
 * facts and refreshes the episodes it touched in one transaction, while a change made
 * elsewhere (a hand edit, another session) may have touched episodes this refresh did
 * not cover. The fact dates only grow on a partial refresh, which errs towards reading
 * the facts.
 */
export async function recordRefresh(db: Executor, full: boolean, asOf: string, through: FactsThrough): Promise<void> {
  const merge = (col: keyof FactsThrough) =>
    full ? sql`${through[col]}::date` : sql`greatest(${sql.ref(col)}, ${through[col]}::date)`;
  const clears = full ? sql`true` : sql`stale_txid = txid_current()`;
  await sql`
    update model_state set
      stale = case when ${clears} then false else stale end,
      stale_txid = case when ${clears} then null else stale_txid end,
      refreshed_at = now(), refreshed_as_of = ${asOf}::date,
      attendance_through = ${merge('attendance_through')},
      scores_through = ${merge('scores_through')},
      tests_through = ${merge('tests_through')}`.execute(db);
}

export async function readModelState(db: Executor): Promise<ModelState | undefined> {
  const { rows } = await sql<ModelState>`
    select stale, refreshed_as_of, attendance_through, scores_through, tests_through from model_state`.execute(db);
  return rows[0];
}

export interface ModelStateAndSettled extends ModelState {
  /** The latest discharge in `episode_outcomes` (YYYY-MM-DD), null when none is discharged or it was not asked for. */
  settled: string | null;
}

/**
 * `readModelState` and, with `settled`, the latest discharge in the model (read from its
 * index) in the same statement: a metric decides where to read (metrics/source.ts) in
 * one round trip.
 */
export async function readModelStateAndSettled(db: Executor, settled: boolean): Promise<ModelStateAndSettled | undefined> {
  const { rows } = await sql<ModelStateAndSettled>`
    select stale, refreshed_as_of, attendance_through, scores_through, tests_through,
      ${settled ? sql`(select max(discharged_on)::text from episode_outcomes)` : sql`null::text`} as settled
    from model_state`.execute(db);
  return rows[0];
}
