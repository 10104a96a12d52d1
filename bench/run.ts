import { Command } from 'commander';
import { sql } from 'kysely';
import { connect } from '../warehouse/db';
import { cohort, episodesFor, freshDatabase, type BenchResult, type Scale } from './context';
import { checkScales, writeGrowthReport } from './growth';
import { writeReport } from './report';
import { benchIngest } from './stages/ingest';
import { benchApi } from './stages/api';
import { benchCompare } from './stages/compare';
import { benchDemo } from './stages/demo';
import { benchDashboard } from './stages/dashboard';
import { benchExports } from './stages/exports';
import { benchFhir } from './stages/fhir';
import { benchMeasures } from './stages/measures';
import { benchMetrics } from './stages/metrics';
import { benchProgress } from './stages/progress';
import { benchRefresh } from './stages/refresh';

/**
 * `npm run bench -- [--scale small|full|N] [--only ingest,refresh,…]`: generates the
 * cohort, loads it into a fresh database (DATABASE_URL's server, or embedded), times
 * each stage against its baseline in the same run, prints a table and writes
 * BENCHMARKS.md and bench/results/*.json. Never part of `npm test`.
 *
 * `--growth 20000,50000,100000,200000` does that once per scale, each in its own fresh
 * database, then writes the growth report (bench/growth.ts); `--growth-report <scales>`
 * only writes the report, from the latest results of each scale.
 */
const STAGES = ['ingest', 'refresh', 'metrics', 'measures', 'api', 'dashboard', 'fhir', 'demo', 'exports', 'progress', 'compare'] as const;
type Stage = (typeof STAGES)[number];

const program = new Command('bench')
  .option('--scale <scale>', 'small (20k episodes), full (200k) or a number', 'small')
  .option('--only <stages>', `comma-separated subset of ${STAGES.join(',')}`)
  .option('--growth <scales>', 'comma-separated scales: run the stages once per scale, each in a fresh database, then write the growth report')
  .option('--growth-report <scales>', 'only write the growth report, from the latest results of each scale')
  .option('--keep-db <name>', "load the cohort into this database on DATABASE_URL's server once and keep it; later runs with the same name skip the ingest (not with --growth)")
  .parse(process.argv);
const o = program.opts<{ scale: string; only?: string; growth?: string; growthReport?: string; keepDb?: string }>();
const only = new Set((o.only ?? STAGES.join(',')).split(',') as Stage[]);
const onlyArg = o.only ? ` --only ${o.only}` : '';
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);

/** A scale as typed: small, full or a positive whole number of episodes; `what` names it in the error. */
function parseScale(text: string, what: string): Scale {
  const scale: Scale = text === 'small' || text === 'full' ? text : Number(text);
  if (typeof scale === 'number' && !(Number.isInteger(scale) && scale > 0)) throw new Error(`${what} must be small, full or a number`);
  return scale;
}

/**
 * One scale's run: its cohort loaded into a fresh database, the selected stages timed, its
 * results written to bench/results/<stamp>-<name>.json and BENCHMARKS.md, and the table printed.
 */
async function runScale(scale: Scale, name: string, command: string): Promise<void> {
  const startedAt = new Date().toISOString();
  const db = await freshDatabase(log, o.keepDb ? { name: o.keepDb, episodes: episodesFor(scale) } : undefined);
  // A kept database that holds the cohort brings its summary: the CSVs are read only by the ingest.
  const skipIngest = db.loaded !== null && !only.has('ingest');
  const data = skipIngest && db.loaded ? db.loaded : await cohort(scale, log);
  const wh = connect(db.url, 4);
  const results: BenchResult[] = [];
  const ctx = { scale, url: db.url, wh, data, log, record: (r: BenchResult) => void results.push(r) };
  try {
    // Later stages need the data loaded: ingest runs whenever one of them does, and is recorded
    // only when asked for. (The FHIR stage alone needs only the patients; the demo brings its own.)
    const needsData = [...only].some((s) => s !== 'demo');
    const dimensionsOnly = [...only].every((s) => s === 'fhir' || s === 'demo');
    if (needsData && !skipIngest) {
      await benchIngest({ ...ctx, record: only.has('ingest') ? ctx.record : () => undefined }, { dimensionsOnly });
      if (!dimensionsOnly) await db.markLoaded(data);
    }
    if (only.has('refresh')) await benchRefresh(ctx);
    if (only.has('metrics')) await benchMetrics(ctx);
    if (only.has('measures')) await benchMeasures(ctx);
    if (only.has('api')) await benchApi(ctx);
    if (only.has('dashboard')) await benchDashboard(ctx);
    if (only.has('fhir')) await benchFhir(ctx);
    if (only.has('demo')) await benchDemo(ctx);
    if (only.has('exports')) await benchExports(ctx);
    if (only.has('progress')) await benchProgress(ctx);
    // Last: it reassigns episodes.clinician_id (bench/stages/compare.ts).
    if (only.has('compare')) await benchCompare(ctx);
    const version = (await sql<{ v: string }>`select split_part(version(), ' on ', 1) as v`.execute(wh.db)).rows[0]?.v ?? 'PostgreSQL';
    const rows = Object.fromEntries(data.files.map((f) => [f.entity, f.rows]));
    writeReport({ scale: name, episodes: episodesFor(scale), rows, pgVersion: version, startedAt, command }, results);
    console.table(results.map((r) => ({ measure: r.measure, value: `${Math.round(r.value)} ${r.unit}`, ratio: r.ratio?.toFixed(3) ?? '', target: r.target ?? '', met: r.met ?? '' })));
  } finally {
    await wh.close();
    await db.drop();
  }
}

/** Writes the growth report for the scales and prints its section. */
function growthReport(scales: Scale[]): void {
  const { markdown } = writeGrowthReport(scales.map(episodesFor));
  log('wrote bench/growth.md, docs/img/growth.svg and the growth section of BENCHMARKS.md');
  console.log(markdown);
}

const scalesOf = (list: string) => list.split(',').map((s) => parseScale(s.trim(), 'each --growth scale'));
if (o.growthReport) {
  growthReport(scalesOf(o.growthReport));
} else if (o.growth) {
  if (o.keepDb) throw new Error('--keep-db is for one scale, not --growth');
  const scales = scalesOf(o.growth);
  checkScales(scales.map(episodesFor));
  for (const scale of scales) await runScale(scale, String(scale), `npm run bench -- --growth ${o.growth}${onlyArg}`);
  growthReport(scales);
} else {
  await runScale(parseScale(o.scale, '--scale'), o.scale, `npm run bench -- --scale ${o.scale}${onlyArg}`);
}
