import type { Migration, MigrationProvider } from 'kysely';
import * as m1200 from './2026-11-23T1200-create-warehouse';
import * as m1210 from './2026-11-23T1210-seed-instruments';
import * as m1220 from './2026-11-23T1220-create-models';
import * as m1230 from './2026-11-23T1230-create-users-audit';
import * as m1400 from './2026-11-23T1400-create-ingest-jobs';
import * as m1500 from './2026-11-23T1500-metric-models';
import * as m2711 from './2026-11-27T1000-weekly-columns';
import * as m2716 from './2026-11-27T1600-track-day-rollups';
import * as m2719 from './2026-11-27T1900-count-rollups';
import * as m0614 from './2026-12-06T1405-reconcile-edited-migrations';
import * as m061421 from './2026-12-06T1421-audit-chain';
import * as m061447 from './2026-12-06T1447-progress-fits';
import * as m061452 from './2026-12-06T1452-sites-clinicians';
import * as m061631 from './2026-12-06T1631-followups';
import * as m061637 from './2026-12-06T1637-model-units';
import * as m061641 from './2026-12-06T1641-clinician-role';
import * as m061647 from './2026-12-06T1647-iet-first-contact';
import * as m061920 from './2026-12-06T1920-measure-model';
import * as m061930 from './2026-12-06T1930-progress-latest';
import * as m062040 from './2026-12-06T2040-episode-facilitators';
import * as m062200 from './2026-12-06T2200-teds-d-lines';

/**
 * A static provider: Kysely's FileMigrationProvider cannot load `.ts` files under
 * vitest, so every migration is imported here. Add new ones at the end; never edit one
 * that has landed.
 */
const MIGRATIONS: Record<string, Migration> = {
  '2026-11-23T1200-create-warehouse': m1200,
  '2026-11-23T1210-seed-instruments': m1210,
  '2026-11-23T1220-create-models': m1220,
  '2026-11-23T1230-create-users-audit': m1230,
  '2026-11-23T1400-create-ingest-jobs': m1400,
  '2026-11-23T1500-metric-models': m1500,
  '2026-11-27T1000-weekly-columns': m2711,
  '2026-11-27T1600-track-day-rollups': m2716,
  '2026-11-27T1900-count-rollups': m2719,
  '2026-12-06T1405-reconcile-edited-migrations': m0614,
  '2026-12-06T1421-audit-chain': m061421,
  '2026-12-06T1447-progress-fits': m061447,
  '2026-12-06T1452-sites-clinicians': m061452,
  '2026-12-06T1631-followups': m061631,
  '2026-12-06T1637-model-units': m061637,
  '2026-12-06T1641-clinician-role': m061641,
  '2026-12-06T1647-iet-first-contact': m061647,
  '2026-12-06T1920-measure-model': m061920,
  '2026-12-06T1930-progress-latest': m061930,
  '2026-12-06T2040-episode-facilitators': m062040,
  '2026-12-06T2200-teds-d-lines': m062200,
};

/**
 * Migrations that may change the models' shape: one that does empties the models and marks
 * them stale, and `migrate` then rebuilds them.
 */
export const REBUILDS_MODELS: ReadonlySet<string> = new Set([
  '2026-11-27T1000-weekly-columns', '2026-11-27T1600-track-day-rollups', '2026-11-27T1900-count-rollups',
  '2026-12-06T1405-reconcile-edited-migrations', '2026-12-06T1637-model-units', '2026-12-06T1647-iet-first-contact',
  '2026-12-06T1920-measure-model',
  '2026-12-06T1930-progress-latest',
  '2026-12-06T2040-episode-facilitators',
]);

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
