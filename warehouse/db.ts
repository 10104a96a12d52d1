import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Config } from './config';
import type { DB } from './db-types';
import { startEmbedded, type EmbeddedServer } from './embedded';
import { migrationProvider, REBUILDS_MODELS } from './migrations/index';
import { refreshAll } from './models/refresh';
import { readModelState } from './models/state';
import { installTypeParsers } from './pg-types';

export type { DB } from './db-types';

/**
 * A Kysely bound to one checked-out client, so its queries run inside that client's
 * transaction (an ingest batch, the TEDS-D extract's COPY).
 */
export function singleClientKysely(client: pg.PoolClient): Kysely<DB> {
  const pool = {
    connect: async () => ({ query: client.query.bind(client), release: () => undefined }),
    end: async () => undefined,
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the adapter only forwards to pg's own client
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool: pool as any }) });
}

/** An open warehouse: the pool and kysely over it, and how to close both. */
export interface Warehouse {
  readonly db: Kysely<DB>;
  readonly pool: pg.Pool;
  readonly url: string;
  /** The migrations `openWarehouse` applied when it opened this warehouse. */
  readonly migrated?: readonly string[];
  close(): Promise<void>;
}

export function connect(url: string, poolSize = 10): Warehouse {
  installTypeParsers();
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client that loses its server must not crash the process.
  pool.on('error', () => undefined);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool, url, close: () => db.destroy() };
}

/**
 * Opens the configured warehouse: DATABASE_URL when set, else the embedded PostgreSQL
 * under the data directory. Migrations are applied before it is handed out (every
 * command migrates, docs/cli.md).
 */
export async function openWarehouse(config: Config, log: (msg: string) => void, poolSize = 10): Promise<Warehouse> {
  let embedded: EmbeddedServer | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbedded(config.dataDir, log);
    url = embedded.url;
  }
  const wh = connect(url, poolSize);
  let migrated: string[];
  try {
    migrated = await migrate(wh.db);
    if (migrated.length) log(`applied migrations: ${migrated.join(', ')}`);
  } catch (e) {
    await wh.close();
    await embedded?.stop();
    throw e;
  }
  return {
    ...wh,
    migrated,
    close: async () => {
      await wh.close();
      await embedded?.stop();
    },
  };
}

/** Whether the warehouse answers a query (the health check); throws when it does not. */
export async function ping(db: Kysely<DB>): Promise<void> {
  await sql`select 1`.execute(db);
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export async function migrate(db: Kysely<DB>): Promise<string[]> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator is schema-agnostic
  const migrator = new Migrator({ db: db as Kysely<any>, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new MigrationError(`Migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  // A migration that reshaped the models emptied them and marked them stale: rebuild them
  // from the facts now, so metrics do not fall back to the (slower) fact queries until
  // someone runs refresh. One that found nothing to reshape left them current.
  if (applied.some((name) => REBUILDS_MODELS.has(name)) && (await readModelState(db))?.stale !== false) {
    await refreshAll(db);
  }
  return applied;
}
