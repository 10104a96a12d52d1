import crypto from 'node:crypto';
import { Migrator, sql, type Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { connect, migrate, type Warehouse } from '../../warehouse/db';
import { migrationProvider } from '../../warehouse/migrations/index';
import { withDatabase } from '../../warehouse/urls';
import { dropTestDatabase } from '../harness/database';

// An upgrade across migrations that reshape the models (2026-11-27T1000: weekly series as
// columns; 2026-11-27T1600: the track-day rollups): the warehouse is built at the earlier
// schema, then `migrate` applies the rest and rebuilds the models and rollups from the
// facts, so metrics keep reading current models.
const name = `iop_upgrade_${crypto.randomBytes(4).toString('hex')}`;
let wh: Warehouse;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the schema changes under the migrator
const anyDb = () => wh.db as unknown as Kysely<any>;

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  wh = connect(withDatabase(inject('pgAdminUrl'), name), 2);
  const { error } = await new Migrator({ db: anyDb(), provider: migrationProvider }).migrateTo('2026-11-23T1500-metric-models');
  if (error) throw error;
  await sql`insert into tracks (track_code, name) values ('day', 'Day IOP')`.execute(wh.db);
  await sql`insert into patients (patient_id, birth_year) values ('P1', 1980)`.execute(wh.db);
  await sql`insert into episodes (episode_id, patient_id, track_code, admitted_on, discharged_on, discharge_reason) values
    ('E1', 'P1', 'day', '2026-01-05', null, null), ('E2', 'P1', 'day', '2026-01-05', '2026-01-20', 'completed')`.execute(wh.db);
  await sql`insert into attendance (session_id, episode_id, patient_id, session_date, status) values
    ('S1', 'E1', 'P1', '2026-01-05', 'attended'), ('S2', 'E1', 'P1', '2026-01-07', 'attended'), ('S3', 'E1', 'P1', '2026-01-13', 'no_show'),
    ('S4', 'E2', 'P1', '2026-01-06', 'attended')`.execute(wh.db);
});

afterAll(async () => {
  await wh?.close();
  await dropTestDatabase(name);
});

describe('an upgrade that reshapes the models', () => {
  it('applies the remaining migrations and rebuilds the models from the facts', async () => {
    expect(await migrate(wh.db)).toEqual(['2026-11-27T1000-weekly-columns', '2026-11-27T1600-track-day-rollups', '2026-11-27T1900-count-rollups',
      '2026-12-06T1405-reconcile-edited-migrations', '2026-12-06T1421-audit-chain', '2026-12-06T1447-progress-fits', '2026-12-06T1452-sites-clinicians',
      '2026-12-06T1631-followups', '2026-12-06T1637-model-units', '2026-12-06T1641-clinician-role', '2026-12-06T1647-iet-first-contact',
      '2026-12-06T1920-measure-model', '2026-12-06T1930-progress-latest',
      '2026-12-06T2040-episode-facilitators', '2026-12-06T2200-teds-d-lines']);
    const row = await sql<Record<string, number | string>>`
      select episode_id, sessions_attended, attended_w0, attended_w1, no_show_w1 from episode_outcomes where episode_id = 'E1'`.execute(wh.db);
    expect(row.rows).toEqual([{ episode_id: 'E1', sessions_attended: 2, attended_w0: 2, attended_w1: 0, no_show_w1: 1 }]);
    // The rollup holds the discharged episode and, in a row of its own, the open one.
    const rollup = await sql<Record<string, number | string | boolean>>`
      select track_code, admitted_on::text, open, n, attended, attended_w0 from track_day_outcomes order by open`.execute(wh.db);
    expect(rollup.rows).toEqual([
      { track_code: 'day', admitted_on: '2026-01-05', open: false, n: 1, attended: 1, attended_w0: 1 },
      { track_code: 'day', admitted_on: '2026-01-05', open: true, n: 1, attended: 2, attended_w0: 2 },
    ]);
    // The count rollups hold both: the discharged one under its admission month, the open one under its day.
    const stays = await sql<Record<string, unknown>>`select admitted_on::text, open, n from stay_counts order by open, admitted_on`.execute(wh.db);
    expect(stays.rows).toEqual([
      { admitted_on: '-infinity', open: false, n: 1 }, { admitted_on: '2026-01-01', open: false, n: 1 }, { admitted_on: '2026-01-05', open: true, n: 1 },
    ]);
    const state = await sql<{ stale: boolean }>`select stale from model_state`.execute(wh.db);
    expect(state.rows).toEqual([{ stale: false }]);
  });

  it('migrates back down to the array columns', async () => {
    const { error } = await new Migrator({ db: anyDb(), provider: migrationProvider }).migrateTo('2026-11-23T1500-metric-models');
    expect(error).toBeUndefined();
    const cols = await sql<{ column_name: string }>`select column_name from information_schema.columns
      where table_name = 'episode_outcomes' and column_name in ('weekly_attended', 'attended_w0')`.execute(wh.db);
    expect(cols.rows).toEqual([{ column_name: 'weekly_attended' }]);
    const rollups = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_name like 'track_day_%' or table_name like '%_counts'`.execute(wh.db);
    expect(rollups.rows).toEqual([{ n: 0 }]);
  });
});
