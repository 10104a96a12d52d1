import { sql, type Kysely } from 'kysely';

/**
 * Weekly model series as plain columns instead of arrays, and the episode attributes a
 * symptom metric filters and groups by on `episode_instrument_outcomes` itself.
 *
 * Measured at 200k episodes (issue "Outcome metrics", speed bar): summing `arr[w]` over
 * episodes detoasts the array once per subscript (a short-header varlena is copied before
 * every access), so 34 subscripts per row made the attendance query ~3× a count(*) of the
 * model, while 34 sums of int columns cost about one extra scan; NULL columns (weeks
 * without scores) are skipped by the aggregates for free. The symptom metric joined every
 * scoped episode to its instrument row (~100 ms); with the attributes copied here it
 * reads one table, and counts the group sizes separately.
 *
 * Columns: `attended_w0 … attended_w16`, `no_show_w*`, `tests_w*`, `negative_w*` (counts,
 * 0 when none) and `mean_x10k_w0 … mean_x10k_w16`: the episode's mean score that week in
 * ten-thousandths of a point (null when unscored). Integers keep the metric's sums over
 * episodes exact in any order, as numeric did, at a fraction of numeric's cost; their
 * squares stay within bigint for any score below 300,000 (measured:
 * the trajectory query 107 → 49 ms at 200k episodes). The models are derived data: this migration empties them and marks them
 * stale, and `migrate` rebuilds them (warehouse/db.ts).
 */
const LAST_WEEK = 16;
const weeks = Array.from({ length: LAST_WEEK + 1 }, (_, w) => w);
const COUNT_SERIES = ['attended', 'no_show', 'tests', 'negative'] as const;
const ARRAYS = ['weekly_attended', 'weekly_no_show', 'weekly_tests', 'weekly_negative'] as const;

/** `alter table <table> <action>, <action>, …` in one statement. */
async function alter(db: Kysely<any>, table: string, actions: string[]): Promise<void> {
  await sql`alter table ${sql.table(table)} ${sql.raw(actions.join(', '))}`.execute(db);
}

const countColumns = COUNT_SERIES.flatMap((s) => weeks.map((w) => `${s}_w${w}`));
const meanColumns = weeks.map((w) => `mean_x10k_w${w}`);
const EPISODE_ATTRIBUTES = ['admitted_on date not null', 'discharged_on date', 'primary_substance text', 'sex text', 'age_at_admission integer'];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`truncate episode_outcomes, episode_instrument_outcomes`.execute(db);
  await alter(db, 'episode_outcomes', [
    ...ARRAYS.map((a) => `drop column ${a}`),
    ...countColumns.map((c) => `add column ${c} integer not null default 0`),
  ]);
  await alter(db, 'episode_instrument_outcomes', [
    'drop column weekly_mean',
    ...EPISODE_ATTRIBUTES.map((a) => `add column ${a}`),
    ...meanColumns.map((c) => `add column ${c} bigint`),
  ]);
  await db.schema.dropIndex('episode_instrument_outcomes_instr').execute();
  await db.schema.createIndex('episode_instrument_outcomes_instr').on('episode_instrument_outcomes')
    .columns(['instrument', 'track_code', 'admitted_on']).execute();
  await sql`update model_state set stale = true, stale_txid = null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`truncate episode_outcomes, episode_instrument_outcomes`.execute(db);
  await alter(db, 'episode_outcomes', [
    ...countColumns.map((c) => `drop column ${c}`),
    ...ARRAYS.map((a) => `add column ${a} integer[]`),
  ]);
  await alter(db, 'episode_instrument_outcomes', [
    ...meanColumns.map((c) => `drop column ${c}`),
    ...EPISODE_ATTRIBUTES.map((a) => `drop column ${a.split(' ')[0]}`),
    'add column weekly_mean numeric[]',
  ]);
  // dropping admitted_on dropped the index over it
  await db.schema.dropIndex('episode_instrument_outcomes_instr').ifExists().execute();
  await db.schema.createIndex('episode_instrument_outcomes_instr').on('episode_instrument_outcomes').columns(['instrument', 'track_code']).execute();
  await sql`update model_state set stale = true, stale_txid = null`.execute(db);
}
