import { median as d3median } from 'd3-array';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { connect, migrate, type Warehouse } from '../warehouse/db';
import { acquireTestServer, type TestServer } from '../warehouse/scratch-server';
import { withDatabase } from '../warehouse/urls';
import { generateCohort, type GenerateSummary } from '../tools/generate/index';

/** What every benchmark stage gets: a fresh warehouse, the generated cohort, and a place to record figures. */
export interface BenchContext {
  scale: Scale;
  url: string;
  wh: Warehouse;
  data: GenerateSummary;
  record(r: BenchResult): void;
  log(msg: string): void;
}

export interface BenchResult {
  measure: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number; unit: string };
  ratio?: number;
  target?: string;
  met?: boolean;
  command: string;
  note?: string;
}

export type Scale = 'small' | 'full' | number;
export const EPISODES: Record<'small' | 'full', number> = { small: 20_000, full: 200_000 };

export function episodesFor(scale: Scale): number {
  return typeof scale === 'number' ? scale : EPISODES[scale];
}

/** The cohort for a scale, generated once into bench/data/<n> (deterministic, seed 42, fixed as-of). */
export async function cohort(scale: Scale, log: (m: string) => void): Promise<GenerateSummary> {
  const n = episodesFor(scale);
  const outDir = path.resolve('bench/data', String(n));
  const marker = path.join(outDir, 'summary.json');
  if (fs.existsSync(marker)) return JSON.parse(fs.readFileSync(marker, 'utf8')) as GenerateSummary;
  log(`generating ${n} episodes into ${outDir}…`);
  const summary = await generateCohort({ episodes: n, seed: 42, outDir, asOf: '2026-11-01' });
  fs.writeFileSync(marker, JSON.stringify(summary));
  return summary;
}

/** A loaded bench database kept between runs: `loaded` says the cohort is already in it. */
export interface BenchDatabase {
  url: string;
  server: TestServer | null;
  /**
   * The summary of the cohort a kept database already holds (so ingest is skipped, and the
   * CSVs, which only the ingest reads, need not be generated again), or null.
   */
  loaded: GenerateSummary | null;
  /** Records that the cohort is loaded, with its summary (kept databases only). */
  markLoaded(summary: GenerateSummary): Promise<void>;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database on DATABASE_URL's server, or on an embedded server; with `keep`,
 * the database of that name on DATABASE_URL's server, created and loaded the first time and
 * never dropped, so that a later `--keep-db` run of other stages skips the 200k ingest.
 */
export async function freshDatabase(log: (m: string) => void, keep?: { name: string; episodes: number }): Promise<BenchDatabase> {
  const base = process.env.DATABASE_URL;
  if (keep && !base) throw new Error('--keep-db needs DATABASE_URL (a server that outlives the run)');
  if (keep && !/^[a-z_][a-z0-9_]*$/.test(keep.name)) throw new Error('--keep-db must be a lower-case SQL identifier');
  const server = base ? null : await acquireTestServer(log);
  const adminUrl = base ?? server?.adminUrl ?? '';
  const name = keep?.name ?? `iop_bench_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const exists = (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
  if (!exists) await admin.query(`create database ${name}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const wh = connect(url, 2);
  await migrate(wh.db);
  let loaded: GenerateSummary | null = null;
  if (keep) {
    await sql`create table if not exists bench_loaded (episodes int primary key)`.execute(wh.db);
    await sql`alter table bench_loaded add column if not exists summary jsonb`.execute(wh.db);
    loaded = (await sql<{ summary: GenerateSummary | null }>`select summary from bench_loaded where episodes = ${keep.episodes}`.execute(wh.db)).rows[0]?.summary ?? null;
    if (loaded) log(`kept database ${name} already holds ${keep.episodes} episodes: ingest skipped`);
  }
  await wh.close();
  return {
    url,
    server,
    loaded,
    markLoaded: async (summary: GenerateSummary) => {
      if (!keep) return;
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query('insert into bench_loaded (episodes, summary) values ($1, $2) on conflict (episodes) do update set summary = excluded.summary', [summary.episodes, JSON.stringify(summary)]);
      await c.end();
    },
    drop: async () => {
      if (keep) return;
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
      await server?.stop();
    },
  };
}

/** The median of repeated timings (d3's, as metrics/stats/quantile.ts uses d3 for quantiles). */
export function median(values: readonly number[]): number {
  return d3median(values) ?? NaN;
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** Runs the CLI in a child process, returning its stdout, wall time and peak RSS (from /proc via `time -f`). */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; stdout: string; maxRssKb: number; code: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('/usr/bin/env', ['node', '--max-old-space-size=256', '--import', 'tsx', 'bench/rss.ts', 'bin/iop.ts', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /\[rss\] max (\d+)/.exec(stderr);
      resolve({ ms: performance.now() - t0, stdout, maxRssKb: m ? Number(m[1]) : NaN, code: code ?? -1 });
    });
  });
}
