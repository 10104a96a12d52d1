import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type pg from 'pg';
import type { DB } from '../db-types';
import { insertEpisodeOutcomes } from './episode-outcomes';
import { insertInstrumentOutcomes } from './instrument-outcomes';
import { applyToRollups, rebuildRollups, type RollupTable } from './rollup';
import { recordRefresh } from './state';

type Executor = Kysely<DB> | Transaction<DB>;

/**
 * Rebuilds the per-episode outcome models (docs/metrics.md "Models and as_of") for the given
 * episodes, or for all of them, and records the refresh in `model_state`. Set-based:
 * one statement per model, each a grouped pass over its fact tables (plus a pass over
 * the positive tests for relapse, and one over the scores for the follow-up). Definitions follow docs/metrics.md (see episode-outcomes.ts and
 * instrument-outcomes.ts). The metric columns are as-of-free: an open episode's window
 * is open-ended, so its row does not go stale as days pass; `asOf` is recorded as the
 * refresh date. The rollups (rollup.ts) lose the episodes' old rows and gain their new
 * ones. Call it in the transaction that changed the facts, with every episode
 * the change touched: that is what lets a partial refresh mark the models current.
 */
export async function refreshEpisodes(
  db: Executor, episodeIds: readonly string[] | 'all', asOf?: string, measureEpisodeIds: readonly string[] = [],
): Promise<number> {
  const today = asOf ?? new Date().toISOString().slice(0, 10);
  const ids = episodeIds === 'all' ? null : [...new Set(episodeIds)];
  // Episodes whose measure rows alone may have changed (a follow-up interview, a score linked
  // to no episode: the measures read them by patient), rebuilt by the steps with the others.
  const stepIds = ids === null ? null : [...new Set([...ids, ...measureEpisodeIds])];
  if (ids && ids.length === 0) {
    if (stepIds && stepIds.length > 0) await runRefreshSteps(db, stepIds);
    await recordRefresh(db, false, today, { attendance_through: null, scores_through: null, tests_through: null });
    return 0;
  }
  // JIT compiling these wide aggregate lists costs seconds and saves nothing at this size.
  // The facts come out of their (episode_id, date) index in episode order, so grouping by
  // sorting streams, where hashing 200k groups of wide states spilled to disk (at 200k
  // episodes, with the one-pass follow-up of instrument-outcomes.ts: 37 s → 28 s).
  await sql`select set_config('jit', 'off', true), set_config('work_mem', '64MB', true), set_config('enable_hashagg', 'off', true)`.execute(db);
  const scope = (column: string): RawBuilder<unknown> => (ids ? sql`${sql.ref(column)} = any(${ids}::text[])` : sql`true`);

  // A batch touching many episodes rebuilds the rollups, which costs one pass over the
  // models; a small one moves its episodes' old and new rows in and out (rollup.ts).
  const rebuild = ids === null || (ids.length > BULK_MIN && ids.length > BULK_SHARE * (await modelRows(db)));
  if (ids) {
    if (!rebuild) await applyToRollups(db, ids, -1);
    await sql`delete from episode_outcomes where ${scope('episode_id')}`.execute(db);
    await sql`delete from episode_instrument_outcomes where ${scope('episode_id')}`.execute(db);
  } else {
    await sql`truncate episode_outcomes, episode_instrument_outcomes`.execute(db);
  }

  const episodes = (await insertEpisodeOutcomes(scope).execute(db)).rows[0];
  const instruments = (await insertInstrumentOutcomes(scope).execute(db)).rows[0];
  // The rollups group model rows that come in no useful order: hashing is the right plan
  // again (a rebuild at 200k episodes: 14.3 s sorting, 9.4 s hashing).
  await sql`select set_config('enable_hashagg', reset_val, true) from pg_settings where name = 'enable_hashagg'`.execute(db);
  if (rebuild) await rebuildRollups(db);
  else if (ids) await applyToRollups(db, ids, 1);
  // Models of the layers above (the standard measures' rows, metrics/measures/model-build.ts).
  await runRefreshSteps(db, stepIds);
  await forgetExtractRows(db, ids);
  // A full rebuild replaced every row: fresh planner statistics, or the first metric query
  // plans with the old ones (ingest analyses after a partial refresh that changed ≥ 10%).
  if (ids === null) await analyzeModels(db);
  await recordRefresh(db, ids === null, today, {
    attendance_through: episodes?.attendance_through ?? null,
    tests_through: episodes?.tests_through ?? null,
    scores_through: instruments?.scores_through ?? null,
  });
  return episodes?.n ?? 0;
}

/**
 * The TEDS-D extract's stored rows (metrics/exports/teds-d.ts, migration 2200) are coded
 * from the facts of an episode: a refresh of the episode deletes its row and lists it in
 * `teds_d_pending`, and the next extract codes it again and rebuilds its block (an extract
 * streams nothing while an episode is pending); a full refresh deletes them all.
 * The lock comes first, in its own statement: an extract holds SHARE ROW EXCLUSIVE while
 * it codes and writes rows, so a row it coded from the facts before this transaction's
 * changes is either deleted here (it committed first) or never written (this commits first,
 * and the extract's snapshot, taken after its lock, sees the changes).
 */
async function forgetExtractRows(db: Executor, ids: readonly string[] | null): Promise<void> {
  if (ids === null) {
    await sql`truncate teds_d_lines, teds_d_blocks, teds_d_pending, teds_d_state`.execute(db);
    return;
  }
  // In a DO block, so that a caller outside a transaction block (a test, a one-statement
  // refresh) is not refused: there the lock ends with the statement, and nothing needs it.
  await sql`do $$ begin lock table teds_d_lines in row exclusive mode; end $$`.execute(db);
  // No stored rows (no extract yet, or since a full refresh): the next extract codes every discharge.
  const { rows } = await sql<{ kept: boolean }>`select exists (select 1 from teds_d_state) as kept`.execute(db);
  if (!rows[0]?.kept) return;
  await sql`delete from teds_d_lines where episode_id = any(${ids}::text[])`.execute(db);
  await sql`insert into teds_d_pending (episode_id) select unnest(${ids}::text[]) on conflict do nothing`.execute(db);
}

/**
 * A model kept by a layer above the warehouse (the standard measures' per-episode rows,
 * metrics/measures/model-build.ts), which registers how to rebuild it for some episodes
 * (or all) when its module loads: the warehouse imports nothing above it. Every process
 * that computes measures (the CLI, the API, the bench) loads it.
 */
export interface RefreshStep {
  name: 'measures';
  run(db: Executor, ids: readonly string[] | null): Promise<void>;
}

const STEPS = new Map<RefreshStep['name'], RefreshStep>();

export function registerRefreshStep(step: RefreshStep): void {
  STEPS.set(step.name, step);
}

/**
 * Runs the registered steps. A process that refreshes without the measure step loaded
 * cannot keep the measure model, so it marks it unusable (`measures_through` = infinity:
 * measures read the facts) until a full refresh in a process that has it.
 */
async function runRefreshSteps(db: Executor, ids: readonly string[] | null): Promise<void> {
  const measures = STEPS.get('measures');
  if (measures) await measures.run(db, ids);
  else await sql`update model_state set measures_through = 'infinity'`.execute(db);
}

/**
 * Work a layer above does after a batch's refresh has committed, in its own transaction
 * (the TEDS-D extract codes the rows the batch left pending, metrics/exports/teds-d.ts). The
 * ingest runs it after each committed batch; a failure never undoes the batch: it comes
 * back as a warning (and the work is left for later, as if no step were registered).
 */
export type AfterCommitStep = (wh: { pool: pg.Pool }) => Promise<void>;

const AFTER_COMMIT = new Map<string, AfterCommitStep>();

export function registerAfterCommit(name: string, step: AfterCommitStep): void {
  AFTER_COMMIT.set(name, step);
}

/** Runs the registered after-commit steps; returns a warning for each that failed. */
export async function runAfterCommit(wh: { pool: pg.Pool }): Promise<string[]> {
  const warnings: string[] = [];
  for (const [name, step] of AFTER_COMMIT) {
    try {
      await step(wh);
    } catch (e) {
      warnings.push(`${name} after the batch failed, and is left for later: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return warnings;
}

/**
 * Above this share of the episodes (and this many), rebuilding the rollups beats adding
 * and subtracting the touched episodes (measured at 200k episodes, on the slow machine of
 * 2026-11-27: 9.4 s to rebuild the five rollups, 0.9 s per 2,000 episodes moved in or
 * out). Below a few thousand either is quick.
 */
const BULK_SHARE = 0.1;
const BULK_MIN = 5000;

/** The planner's estimate of the episodes in the model (0 before its first ANALYZE). */
async function modelRows(db: Executor): Promise<number> {
  const { rows } = await sql<{ n: number }>`select greatest(reltuples, 0)::float8 as n from pg_class where oid = 'episode_outcomes'::regclass`.execute(db);
  return rows[0]?.n ?? 0;
}

/**
 * The model columns metric queries filter, join and group on: statistics on the weekly
 * series would be read by no plan, and analysing all 90 columns took 1 s at 200k episodes.
 */
const MODEL_STATISTICS: Record<'episode_outcomes' | 'episode_instrument_outcomes' | 'episode_measure_rows' | RollupTable, readonly string[]> = {
  episode_outcomes: ['episode_id', 'patient_id', 'track_code', 'admitted_on', 'discharged_on', 'discharge_reason', 'sex',
    'primary_substance', 'age_at_admission', 'first_negative_on', 'first_relapse_on', 'last_test_on'],
  episode_instrument_outcomes: ['episode_id', 'instrument', 'patient_id', 'track_code', 'admitted_on', 'sex', 'primary_substance',
    'age_at_admission', 'baseline_score', 'followup_score', 'discharged_on'],
  episode_measure_rows: ['measure', 'episode_id', 'track_code', 'admitted_on', 'index_date'],
  track_day_outcomes: ['track_code', 'admitted_on'],
  track_day_instrument_outcomes: ['instrument', 'track_code', 'admitted_on'],
  stay_counts: ['open', 'admitted_on', 'track_code'],
  relapse_counts: ['open', 'admitted_on', 'track_code'],
  pair_counts: ['instrument', 'open', 'admitted_on', 'track_code'],
};

/**
 * Rebuilds every episode in one transaction, then VACUUMs the models outside it: that
 * marks their pages all-visible, so the index-only scans that read them skip the heap
 * (the not-on-track list's partial index, docs/progress.md "Alerts"). Autovacuum would
 * get there later, or never where it is off; a partial refresh leaves most pages visible.
 * Returns the number of episodes.
 */
export async function refreshAll(db: Kysely<DB>): Promise<number> {
  const n = await db.transaction().execute((trx) => refreshEpisodes(trx, 'all'));
  await sql`vacuum episode_outcomes, episode_instrument_outcomes`.execute(db);
  return n;
}

/** Fresh planner statistics for one model (or both), on the columns queries use. */
export async function analyzeModels(db: Executor, only?: keyof typeof MODEL_STATISTICS): Promise<void> {
  for (const [table, columns] of Object.entries(MODEL_STATISTICS)) {
    if (only && table !== only) continue;
    await sql`analyze ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))})`.execute(db);
  }
}
