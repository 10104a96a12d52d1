import { sql, type Kysely } from 'kysely';

/**
 * Brings a warehouse migrated before two landed migrations were edited to the schema a
 * new warehouse gets (issue 14; tests/warehouse/edited-migrations.test.ts migrates one
 * with the migrations as they first landed and compares the catalogs). On a warehouse
 * migrated after the edits every step finds nothing to do.
 *
 * - 2026-11-23T1200-create-warehouse first gave `attendance`, `assessments` and
 *   `abstinence_tests` foreign keys (to episodes, patients, instruments and
 *   ingest_batches). They were removed from it: the ingest resolves every reference
 *   inside its transaction, the per-row FK triggers were ~40% of a bulk merge, and Citus
 *   cannot enforce them between distributed tables (docs/scale-out.md). It later gained
 *   the index `corrections_batch`.
 * - 2026-11-27T1600-track-day-rollups first keyed both track-day rollups with a
 *   `settled_on date not null` column (and an index on it), left the sums nullable, and
 *   had no `n` on `track_day_instrument_outcomes` nor the index
 *   `episode_outcomes_discharged`. With `settled_on` in place a refresh fails (nothing
 *   writes it), so such a warehouse could not rebuild its models at all.
 *
 * The rollups are derived data: when they must change shape they are emptied and the
 * models marked stale, and `migrate` rebuilds them (warehouse/db.ts).
 */
const FACT_TABLES_WITHOUT_FKS = ['attendance', 'assessments', 'abstinence_tests'];

const weeks = Array.from({ length: 17 }, (_, w) => w);
const ROLLUP_NOT_NULL: Record<string, string[]> = {
  track_day_outcomes: ['intake_sum', 'latest_sum', 'change_sum', 'change_sum_sq'],
  track_day_instrument_outcomes: ['n', ...['sum_x10k', 'sumsq_x10k'].flatMap((s) => weeks.map((w) => `${s}_w${w}`))],
};

/** Whether a track-day rollup still has the shape 2026-11-27T1600 first gave it. */
async function rollupNeedsReshape(db: Kysely<any>, table: string, notNull: string[]): Promise<boolean> {
  const { rows } = await sql<{ stale: boolean }>`
    select exists (
      select from pg_attribute where attrelid = ${table}::regclass and attname = 'settled_on' and not attisdropped
    ) or (
      select count(*) from pg_attribute
      where attrelid = ${table}::regclass and attname = any(${notNull}::text[]) and attnotnull and not attisdropped
    ) < ${notNull.length} as stale`.execute(db);
  return rows[0]?.stale === true;
}

export async function up(db: Kysely<any>): Promise<void> {
  // 2026-11-23T1200: no foreign keys on the three large fact tables.
  const { rows: fks } = await sql<{ table: string; name: string }>`
    select conrelid::regclass::text as table, conname as name from pg_constraint
    where contype = 'f' and conrelid = any(${FACT_TABLES_WITHOUT_FKS}::regclass[])
    order by 1, 2`.execute(db);
  for (const fk of fks) await sql`alter table ${sql.table(fk.table)} drop constraint ${sql.id(fk.name)}`.execute(db);
  await sql`create index if not exists corrections_batch on corrections (batch_id)`.execute(db);

  // 2026-11-27T1600: the track-day rollups without settled_on, with `n` and not-null sums.
  const reshape: string[] = [];
  for (const [table, notNull] of Object.entries(ROLLUP_NOT_NULL)) {
    if (await rollupNeedsReshape(db, table, notNull)) reshape.push(table);
  }
  if (reshape.length > 0) {
    await sql`truncate ${sql.join(reshape.map((t) => sql.table(t)))}`.execute(db);
    for (const table of reshape) {
      const notNull = ROLLUP_NOT_NULL[table] ?? [];
      const actions = ['drop column if exists settled_on', ...(table === 'track_day_instrument_outcomes' ? ['add column if not exists n integer not null'] : []),
        ...notNull.map((c) => `alter column ${c} set not null`)];
      await sql`alter table ${sql.table(table)} ${sql.raw(actions.join(', '))}`.execute(db);
    }
    await sql`update model_state set stale = true, stale_txid = null`.execute(db);
  }
  await sql`create index if not exists episode_outcomes_discharged on episode_outcomes (discharged_on)`.execute(db);
}

/** Nothing to undo: the schema it leaves is the one the earlier migrations give a new warehouse. */
export async function down(): Promise<void> {}
