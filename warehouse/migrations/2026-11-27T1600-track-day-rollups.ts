import { sql, type Kysely } from 'kysely';

/**
 * Per (track, admission day) sums of the models' additive per-episode figures, over the
 * episodes already discharged (warehouse/models/rollup.ts says which figures, and why
 * only discharged episodes): `track_day_outcomes` from `episode_outcomes`, and
 * `track_day_instrument_outcomes` from `episode_instrument_outcomes`, per instrument.
 * `n` counts the model rows summed; a refresh adds and subtracts per-episode figures,
 * and drops a row whose `n` falls to 0.
 *
 * Measured at 200k episodes (issue "Outcome metrics", speed bar): the attendance, symptom
 * and relapse queries aggregated 40–90 columns over every scoped episode, 5–7× a bare
 * count(*) of the model once that is warm. About 4,400 rows (per instrument) stand for
 * the 200k episodes when the metric is stratified by track or admission period.
 *
 * Also partial indexes over the open episodes of each model, which a metric reads from
 * the model itself, and an index on the discharge date, whose maximum says whether the
 * rollups may answer for an as_of. The models and rollups are derived data: this
 * migration marks them stale, and `migrate` rebuilds them (warehouse/db.ts).
 */
const weeks = Array.from({ length: 17 }, (_, w) => w);
const series = (names: readonly string[], type: string): string[] => names.flatMap((s) => weeks.map((w) => `${s}_w${w} ${type}`));

const KEY = ['track_code text not null', 'admitted_on date not null'];

const EPISODE_COLUMNS = [
  ...KEY,
  'n integer not null',
  // attendance
  'attended integer not null', 'no_show integer not null', 'per_week numeric not null',
  'initiated integer not null', 'engaged integer not null',
  ...series(['attended', 'no_show'], 'integer not null'),
  // relapse
  'tests integer not null', 'negative integer not null', 'with_negative integer not null', 'relapsed integer not null',
  'eot_episodes integer not null', 'eot_abstinent integer not null',
  'intake_n integer not null', 'intake_sum bigint not null', 'latest_n integer not null', 'latest_sum bigint not null',
  'change_n integer not null', 'change_sum bigint not null', 'change_sum_sq bigint not null',
  ...series(['tests', 'negative'], 'integer not null'),
];

const INSTRUMENT_COLUMNS = [
  'instrument text not null',
  ...KEY,
  'n integer not null',
  'with_baseline integer not null',
  ...series(['scored'], 'integer not null'),
  ...series(['sum_x10k', 'sumsq_x10k'], 'bigint not null'),
];

async function createTable(db: Kysely<any>, table: string, columns: readonly string[], key: readonly string[]): Promise<void> {
  await sql`create table ${sql.table(table)} (${sql.raw(columns.join(', '))}, primary key (${sql.raw(key.join(', '))}))`.execute(db);
}

export async function up(db: Kysely<any>): Promise<void> {
  await createTable(db, 'track_day_outcomes', EPISODE_COLUMNS, ['track_code', 'admitted_on']);
  await createTable(db, 'track_day_instrument_outcomes', INSTRUMENT_COLUMNS, ['instrument', 'track_code', 'admitted_on']);
  await sql`create index episode_outcomes_open on episode_outcomes (track_code, admitted_on) where discharged_on is null`.execute(db);
  await sql`create index episode_instrument_outcomes_open on episode_instrument_outcomes (instrument, track_code, admitted_on)
    where discharged_on is null`.execute(db);
  await sql`create index episode_outcomes_discharged on episode_outcomes (discharged_on)`.execute(db);
  await sql`update model_state set stale = true, stale_txid = null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('episode_outcomes_discharged').execute();
  await db.schema.dropIndex('episode_instrument_outcomes_open').execute();
  await db.schema.dropIndex('episode_outcomes_open').execute();
  await db.schema.dropTable('track_day_instrument_outcomes').execute();
  await db.schema.dropTable('track_day_outcomes').execute();
}
