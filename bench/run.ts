import { Command } from 'commander';
import { sql } from 'kysely';
import { connect } from '../warehouse/db';
import { cohort, episodesFor, freshDatabase, type BenchResult, type Scale } from './context';
import { writeReport } from './report';
import { benchIngest } from './stages/ingest';
import { benchApi } from './stages/api';
import { benchDashboard } from './stages/dashboard';
import { benchFhir } from './stages/fhir';
import { benchMetrics } from './stages/metrics';
import { benchRefresh } from './stages/refresh';

/**
 * `npm run bench -- [--scale small|full|N] [--only ingest,refresh,…]`: generates the
 * cohort, loads it into a fresh database (DATABASE_URL's server, or embedded), times
 * each stage against its baseline in the same run, prints a table and writes
 * BENCHMARKS.md and bench/results/*.json. Never part of `npm test`.
 */
const STAGES = ['ingest', 'refresh', 'metrics', 'api', 'dashboard', 'fhir'] as const;
type Stage = (typeof STAGES)[number];

const program = new Command('bench')
  .option('--scale <scale>', 'small (20k episodes), full (200k) or a number', 'small')
  .option('--only <stages>', `comma-separated subset of ${STAGES.join(',')}`)
  .parse(process.argv);
const o = program.opts<{ scale: string; only?: string }>();
const scale: Scale = o.scale === 'small' || o.scale === 'full' ? o.scale : Number(o.scale);
if (typeof scale === 'number' && !(Number.isInteger(scale) && scale > 0)) throw new Error(`--scale must be small, full or a number`);
const only = new Set((o.only ?? STAGES.join(',')).split(',') as Stage[]);

const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
const startedAt = new Date().toISOString();
const data = await cohort(scale, log);
const db = await freshDatabase(log);
const wh = connect(db.url, 4);
const results: BenchResult[] = [];
const ctx = { scale, url: db.url, wh, data, log, record: (r: BenchResult) => void results.push(r) };
try {
  // Later stages need the data loaded: ingest always runs, and is recorded only when asked for.
  // (The FHIR stage alone needs only the patients.)
  const dimensionsOnly = [...only].every((s) => s === 'fhir');
  await benchIngest({ ...ctx, record: only.has('ingest') ? ctx.record : () => undefined }, { dimensionsOnly });
  if (only.has('refresh')) await benchRefresh(ctx);
  if (only.has('metrics')) await benchMetrics(ctx);
  if (only.has('api')) await benchApi(ctx);
  if (only.has('dashboard')) await benchDashboard(ctx);
  if (only.has('fhir')) await benchFhir(ctx);
  const version = (await sql<{ v: string }>`select split_part(version(), ' on ', 1) as v`.execute(wh.db)).rows[0]?.v ?? 'PostgreSQL';
  const rows = Object.fromEntries(data.files.map((f) => [f.entity, f.rows]));
  writeReport({ scale: String(o.scale), episodes: episodesFor(scale), rows, pgVersion: version, startedAt, command: `npm run bench -- --scale ${o.scale}${o.only ? ` --only ${o.only}` : ''}` }, results);
  console.table(results.map((r) => ({ measure: r.measure, value: `${Math.round(r.value)} ${r.unit}`, ratio: r.ratio?.toFixed(3) ?? '', target: r.target ?? '', met: r.met ?? '' })));
} finally {
  await wh.close();
  await db.drop();
}
