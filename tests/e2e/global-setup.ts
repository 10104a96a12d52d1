import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createUser } from '../../api/auth/users';
import { startServer } from '../../api/server';
import { ENTITY_NAMES, isEntityName } from '../../ingest/entities';
import { generateCohort } from '../../tools/generate/index';
import { ingestCsv } from '../../ingest/loader';
import { loadConfig } from '../../warehouse/config';
import { connect, migrate } from '../../warehouse/db';
import { acquireTestServer } from '../../warehouse/scratch-server';
import { withDatabase } from '../../warehouse/urls';
import { E2E_EPISODES, todayUtc, type E2eUser, type E2eUsers } from './fixtures';

/** Files load with referenced entities first: the order of ENTITY_NAMES. */
const loadRank = (entity: string): number => (ENTITY_NAMES as readonly string[]).indexOf(entity);

declare module 'vitest' {
  export interface ProvidedContext {
    e2eUrl: string;
    e2eUsers: E2eUsers;
    /** The cohort's as-of (YYYY-MM-DD). */
    e2eAsOf: string;
  }
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIST = path.join(ROOT, 'dashboard', 'dist', 'index.html');
/** Dependency order (docs/formats.md): a row's parents are loaded before it. */

const log = (m: string) => process.stderr.write(`[e2e] ${m}\n`);

function newestMtime(dir: string): number {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((max, e) => Math.max(max, fs.statSync(path.join(e.parentPath, e.name)).mtimeMs), 0);
}

/** Builds the dashboard when it is missing or older than its sources, so the tests never run a stale bundle. */
function ensureDashboardBuilt(): void {
  const sources = Math.max(newestMtime(path.join(ROOT, 'dashboard', 'src')), fs.statSync(path.join(ROOT, 'dashboard', 'index.html')).mtimeMs);
  if (fs.existsSync(DIST) && fs.statSync(DIST).mtimeMs >= sources) return;
  log('building the dashboard (vite build)…');
  execFileSync('npx', ['vite', 'build', '--config', 'dashboard/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
}

function password(): string {
  return crypto.randomBytes(12).toString('base64url');
}

/**
 * The whole stack the way `iop serve` runs it: a fresh migrated database, the demo-sized
 * cohort (fixed seed; as-of today, so the same cohort all day) ingested through the real
 * loader, users, and startServer on an ephemeral port serving the built dashboard.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  ensureDashboardBuilt();
  const server = await acquireTestServer(log);
  const dbName = `iop_e2e_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.end();

  const wh = connect(withDatabase(server.adminUrl, dbName), 4);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'iop-e2e-'));
  let running: Awaited<ReturnType<typeof startServer>> | undefined;
  const teardown = async () => {
    await running?.close();
    await wh.close();
    const c = new pg.Client({ connectionString: server.adminUrl });
    await c.connect();
    await c.query(`drop database if exists ${dbName} with (force)`);
    await c.end();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await migrate(wh.db);
    const asOf = todayUtc();
    const data = await generateCohort({ episodes: E2E_EPISODES, seed: 20260, outDir: dataDir, asOf });
    const files = [...data.files].sort((a, b) => loadRank(a.entity) - loadRank(b.entity));
    for (const f of files) {
      if (!isEntityName(f.entity)) continue;
      await ingestCsv(wh, { entity: f.entity, input: fs.createReadStream(f.path), sourceName: `e2e ${path.basename(f.path)}`, today: asOf });
    }
    // Without planner statistics the symptoms query ran for over 90 s on 600 episodes
    // (0.1 s after ANALYZE); autovacuum gets there within minutes, the tests cannot wait.
    await sql`analyze`.execute(wh.db);
    const users: E2eUsers = {
      admin: { username: 'admin', password: password(), token: '' },
      viewer: { username: 'dayviewer', password: password(), token: '' },
      analyst: { username: 'analyst', password: password(), token: '' },
    };
    const add = async (u: E2eUser, role: 'admin' | 'viewer' | 'analyst', tracks: string[] | null) => {
      u.token = (await createUser(wh.db, { username: u.username, password: u.password, role, tracks })).token;
    };
    await add(users.admin, 'admin', null);
    await add(users.viewer, 'viewer', ['day']);
    await add(users.analyst, 'analyst', null);

    const config = loadConfig({ IOP_MIN_CELL: '11', IOP_LOG_LEVEL: 'silent', IOP_HOST: '127.0.0.1', IOP_PORT: '0' });
    running = await startServer({ wh, config, port: 0, host: '127.0.0.1', logger: false });
    log(`serving ${data.episodes} episodes at ${running.url}`);
    project.provide('e2eUrl', running.url);
    project.provide('e2eUsers', users);
    project.provide('e2eAsOf', asOf);
  } catch (e) {
    await teardown();
    throw e;
  }
  return teardown;
}
