import { sql, type Kysely } from 'kysely';

/**
 * The count rollups (warehouse/models/rollup.ts): episodes counted per (track, admission
 * month, …) under the values a metric's count table groups on, for the open episodes per
 * admission day. `stay_counts` serves retention's Kaplan–Meier table and completion,
 * `relapse_counts` the time to relapse, `pair_counts` the symptom score pairs (Jacobson–
 * Truax, response, remission).
 *
 * Measured at 200k episodes (issue "Outcome metrics", speed bar): these three count
 * tables were each a grouped scan of a whole model (95–99 MB), 130–200 ms where a bare
 * count(*) of the model takes 17–55 ms. About 40,000, 17,000 and 137,000 rows (45,000 for
 * PHQ-9) stand for them.
 *
 * The track-day rollups gain the open episodes (`open`), so that no metric reads open
 * episodes from the wide models: at 200k episodes the 15,000 open ones were spread over
 * 8,700 of the 12,000 pages of `episode_outcomes`, 43 ms to fetch through the partial
 * indexes this migration drops. Derived data: this migration marks the models stale, and
 * `migrate` rebuilds models and rollups (warehouse/db.ts).
 */
const COUNT_KEY = ['track_code text not null', 'admitted_on date not null', 'open boolean not null'];

// Keys lead with (open, admitted_on): a metric reads the open rows admitted by as_of and
// the discharged rows of one admission day (the all-time rows) or a range of months.

const TABLES: { name: string; columns: string[]; key: string[] }[] = [
  {
    name: 'stay_counts',
    columns: [...COUNT_KEY, 'los integer not null', 'reason text not null', 'n integer not null'],
    key: ['open', 'admitted_on', 'track_code', 'los', 'reason'],
  },
  {
    name: 'relapse_counts',
    columns: [...COUNT_KEY, 'km_day integer not null', 'km_event boolean not null', 'n integer not null'],
    key: ['open', 'admitted_on', 'track_code', 'km_day', 'km_event'],
  },
  {
    name: 'pair_counts',
    columns: ['instrument text not null', ...COUNT_KEY, 'baseline double precision not null', 'followup double precision not null', 'n integer not null'],
    key: ['instrument', 'open', 'admitted_on', 'track_code', 'baseline', 'followup'],
  },
];

/** The track-day rollups gain the open episodes, a row per (track, admission day) apart from the discharged ones. */
const TRACK_DAY: { name: string; key: string[] }[] = [
  { name: 'track_day_outcomes', key: ['track_code', 'admitted_on'] },
  { name: 'track_day_instrument_outcomes', key: ['instrument', 'track_code', 'admitted_on'] },
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const t of TRACK_DAY) {
    await sql`alter table ${sql.table(t.name)} add column open boolean not null default false,
      drop constraint ${sql.raw(`${t.name}_pkey`)}, add primary key (${sql.raw([...t.key, 'open'].join(', '))})`.execute(db);
  }
  await db.schema.dropIndex('episode_instrument_outcomes_open').execute();
  await db.schema.dropIndex('episode_outcomes_open').execute();
  for (const t of TABLES) {
    await sql`create table ${sql.table(t.name)} (${sql.raw(t.columns.join(', '))}, primary key (${sql.raw(t.key.join(', '))}))`.execute(db);
  }
  await sql`update model_state set stale = true, stale_txid = null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [...TABLES].reverse()) await db.schema.dropTable(t.name).execute();
  await sql`create index episode_outcomes_open on episode_outcomes (track_code, admitted_on) where discharged_on is null`.execute(db);
  await sql`create index episode_instrument_outcomes_open on episode_instrument_outcomes (instrument, track_code, admitted_on)
    where discharged_on is null`.execute(db);
  for (const t of TRACK_DAY) {
    await sql`delete from ${sql.table(t.name)} where open`.execute(db);
    await sql`alter table ${sql.table(t.name)} drop constraint ${sql.raw(`${t.name}_pkey`)}, drop column open,
      add primary key (${sql.raw(t.key.join(', '))})`.execute(db);
  }
}
