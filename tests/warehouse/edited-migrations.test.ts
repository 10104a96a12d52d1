import crypto from 'node:crypto';
import { Migrator, sql, type Kysely, type Migration } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { connect, migrate, type DB, type Warehouse } from '../../warehouse/db';
import * as reconcile from '../../warehouse/migrations/2026-12-06T1405-reconcile-edited-migrations';
import { refreshEpisodes } from '../../warehouse/models/refresh';
import { migrationProvider } from '../../warehouse/migrations/index';
import { withDatabase } from '../../warehouse/urls';
import { createTestDatabase, dropTestDatabase } from '../harness/database';
import * as created1200 from '../fixtures/pre-edit-migrations/2026-11-23T1200-create-warehouse';
import * as created1600 from '../fixtures/pre-edit-migrations/2026-11-27T1600-track-day-rollups';

// Two migrations were edited after they landed (issue 14). The fixtures hold them as they
// first landed: 2026-11-23T1200 at ab337e6 (foreign keys on the three large fact tables,
// dropped by 3bc9720; no corrections_batch index, added by 4b6efd2) and 2026-11-27T1600
// at 24b9b4e (a settled_on column and index on both track-day rollups, nullable sums, no
// `n` on the instrument rollup and no episode_outcomes_discharged index; changed by 52aeba7).
// A warehouse migrated then must end, after `migrate`, with the schema of a new one.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the schema changes under the migrator
type AnyDb = Kysely<any>;

const PRE_EDIT: Record<string, Migration> = {
  '2026-11-23T1200-create-warehouse': created1200,
  '2026-11-27T1600-track-day-rollups': created1600,
};

/** The migrations as a warehouse migrated on 2026-11-27 at 16:10 ran them. */
const preEditProvider = {
  getMigrations: async (): Promise<Record<string, Migration>> => {
    const current = await migrationProvider.getMigrations();
    const upTo = Object.entries(current).filter(([name]) => name <= '2026-11-27T1600-track-day-rollups');
    return Object.fromEntries(upTo.map(([name, m]) => [name, PRE_EDIT[name] ?? m]));
  },
};

interface SchemaDump {
  columns: string[];
  constraints: string[];
  indexes: string[];
  triggers: string[];
}

/**
 * Tables' columns (type, nullability, default), constraints, indexes and triggers from
 * pg_catalog, sorted. Columns are compared by name, not position: a column added by a
 * later migration comes last, and no statement of ours depends on column order (every
 * insert names its columns).
 */
async function dumpSchema(db: AnyDb): Promise<SchemaDump> {
  const lines = async (query: ReturnType<typeof sql<{ line: string }>>): Promise<string[]> =>
    (await query.execute(db)).rows.map((r) => r.line).sort();
  return {
    columns: await lines(sql<{ line: string }>`
      select c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
        || case when a.attnotnull then ' not null' else '' end
        || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') as line
      from pg_attribute a
      join pg_class c on c.oid = a.attrelid
      join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
      left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
      where c.relkind in ('r', 'p', 'v', 'm') and a.attnum > 0 and not a.attisdropped`),
    constraints: await lines(sql<{ line: string }>`
      select c.relname || ' ' || k.conname || ' ' || pg_get_constraintdef(k.oid) as line
      from pg_constraint k
      join pg_class c on c.oid = k.conrelid
      join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'`),
    indexes: await lines(sql<{ line: string }>`select indexdef as line from pg_indexes where schemaname = 'public'`),
    triggers: await lines(sql<{ line: string }>`
      select pg_get_triggerdef(t.oid) as line
      from pg_trigger t
      join pg_class c on c.oid = t.tgrelid
      join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
      where not t.tgisinternal`),
  };
}

async function createEmptyDatabase(): Promise<string> {
  const name = `iop_pre_edit_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  return name;
}

/**
 * One discharged and one open episode with attendance, a PHQ-9 pair and tests, so a
 * rebuild fills the models and rollups.
 */
async function loadFacts(db: Kysely<DB>): Promise<void> {
  await sql`insert into tracks (track_code, name) values ('day', 'Day IOP')`.execute(db);
  await sql`insert into patients (patient_id, birth_year) values ('P1', 1980), ('P2', 1990)`.execute(db);
  await sql`insert into episodes (episode_id, patient_id, track_code, admitted_on, discharged_on, discharge_reason) values
    ('E1', 'P1', 'day', '2026-01-05', '2026-02-20', 'completed'), ('E2', 'P2', 'day', '2026-01-05', null, null)`.execute(db);
  await sql`insert into attendance (session_id, episode_id, patient_id, session_date, status) values
    ('S1', 'E1', 'P1', '2026-01-05', 'attended'), ('S2', 'E1', 'P1', '2026-01-12', 'attended'), ('S3', 'E2', 'P2', '2026-01-06', 'no_show')`.execute(db);
  await sql`insert into assessments (patient_id, instrument, administered_on, total_score, episode_id) values
    ('P1', 'PHQ-9', '2026-01-05', 18, 'E1'), ('P1', 'PHQ-9', '2026-02-16', 6, 'E1')`.execute(db);
  await sql`insert into abstinence_tests (patient_id, collected_on, method, substance, result, episode_id) values
    ('P1', '2026-01-07', 'uds', 'opioids', 'negative', 'E1'), ('P1', '2026-02-18', 'uds', 'opioids', 'negative', 'E1')`.execute(db);
}

const databases: string[] = [];
let old: Warehouse;
let fresh: Warehouse;

beforeAll(async () => {
  const oldName = await createEmptyDatabase();
  databases.push(oldName);
  old = connect(withDatabase(inject('pgAdminUrl'), oldName), 2);
  const { error } = await new Migrator({ db: old.db as unknown as AnyDb, provider: preEditProvider }).migrateToLatest();
  if (error) throw error;
  await loadFacts(old.db); // facts loaded before the upgrade

  const created = await createTestDatabase();
  databases.push(created.name);
  fresh = connect(created.url, 2);
});

afterAll(async () => {
  await old?.close();
  await fresh?.close();
  for (const name of databases) await dropTestDatabase(name);
});

describe('a warehouse migrated before two landed migrations were edited', () => {
  it('differs from a new warehouse before the upgrade (the edits changed the schema)', async () => {
    const before = await dumpSchema(old.db as unknown as AnyDb);
    expect(before.constraints).toContain('attendance attendance_episode_id_fkey FOREIGN KEY (episode_id) REFERENCES episodes(episode_id)');
    expect(before.columns).toContain('track_day_outcomes.settled_on date not null');
    expect(before.indexes.some((i) => i.includes('corrections_batch'))).toBe(false);
  });

  it('has the schema of a new warehouse after migrate', async () => {
    await migrate(old.db);
    expect(await dumpSchema(old.db as unknown as AnyDb)).toEqual(await dumpSchema(fresh.db as unknown as AnyDb));
  });

  it('rebuilds its models and rollups from the facts during the upgrade', async () => {
    const rollup = await sql<{ open: boolean; n: number; attended: number }>`
      select open, n, attended from track_day_outcomes order by open`.execute(old.db);
    expect(rollup.rows).toEqual([{ open: false, n: 1, attended: 2 }, { open: true, n: 1, attended: 0 }]);
    const instrument = await sql<{ instrument: string; open: boolean; n: number; with_baseline: number }>`
      select instrument, open, n, with_baseline from track_day_instrument_outcomes`.execute(old.db);
    expect(instrument.rows).toEqual([{ instrument: 'PHQ-9', open: false, n: 1, with_baseline: 1 }]);
    const state = await sql<{ stale: boolean }>`select stale from model_state`.execute(old.db);
    expect(state.rows).toEqual([{ stale: false }]);
  });
});

describe('the reconciling migration on a warehouse migrated after the edits', () => {
  it('changes nothing: same schema, rollups kept, models still current', async () => {
    await loadFacts(fresh.db);
    await refreshEpisodes(fresh.db, 'all');
    const before = await dumpSchema(fresh.db as unknown as AnyDb);
    await reconcile.up(fresh.db as unknown as AnyDb);
    expect(await dumpSchema(fresh.db as unknown as AnyDb)).toEqual(before);
    const rows = await sql<{ n: number }>`select count(*)::int as n from track_day_outcomes`.execute(fresh.db);
    expect(rows.rows).toEqual([{ n: 2 }]);
    const state = await sql<{ stale: boolean }>`select stale from model_state`.execute(fresh.db);
    expect(state.rows).toEqual([{ stale: false }]);
  });
});
