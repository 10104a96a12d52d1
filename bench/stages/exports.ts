import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import { tedsDischargeCsv } from '../../metrics/exports/teds-d';
import { median, runCli, timed, type BenchContext } from '../context';

/** The constant of the bar (issue 16): fixed costs that do not grow with the warehouse. */
const CONSTANT_MS = 50;
const RUNS = 3;
/** A bench-only key: the figures do not depend on it. */
const SECRET = 'bench-export-secret-0123456789abcdef0123456789';

/**
 * The TEDS-D discharge extract (issue 16 bar; docs/funder-reporting.md): every episode
 * discharged up to the cohort's as-of, streamed to a file, in-process as the CLI and the
 * API run it (median of three), against a bare `SELECT count(*)` over the episode model
 * (median of five, over the vacuumed model, as the metrics stage takes it). Beside it, the
 * whole `iop export teds-d --out FILE` command in its own process, for its peak RSS.
 */
export async function benchExports(ctx: BenchContext): Promise<void> {
  const db = ctx.wh.db;
  await sql`vacuum (analyze) episode_outcomes`.execute(db);
  await sql`vacuum (analyze) episodes`.execute(db);
  await sql`vacuum (analyze) abstinence_tests`.execute(db);
  const range = { from: '1900-01-01', to: ctx.data.asOf };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iop-bench-teds-'));
  try {
    const file = path.join(dir, 'teds-d.csv');
    const counts: number[] = [];
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      counts.push((await timed(() => sql`select count(*) from episode_outcomes`.execute(db))).ms);
      runs.push((await timed(() => pipeline(Readable.from(tedsDischargeCsv(db, range, SECRET)), fs.createWriteStream(file)))).ms);
    }
    for (let i = 0; i < 2; i++) counts.push((await timed(() => sql`select count(*) from episode_outcomes`.execute(db))).ms);
    const rows = fs.readFileSync(file, 'utf8').split('\r\n').length - 2;
    const bytes = fs.statSync(file).size;
    const count = median(counts);
    const ms = median(runs);
    const rate = rows / (ms / 1000);

    const cli = await runCli(['export', 'teds-d', '--from', range.from, '--to', range.to, '--out', file], { ...process.env, DATABASE_URL: ctx.url, IOP_EXPORT_SECRET: SECRET, IOP_LOG_LEVEL: 'warn' });
    if (cli.code !== 0) throw new Error(`iop export teds-d exited ${cli.code}`);
    const command = `IOP_EXPORT_SECRET=… npm run -s iop -- export teds-d --from ${range.from} --to ${range.to} --out teds-d.csv`;
    ctx.log(`export teds-d: ${rows} rows (${(bytes / 2 ** 20).toFixed(1)} MB) in ${ms.toFixed(0)} ms, ${rate.toFixed(0)} rows/s (count(*) ${count.toFixed(1)} ms); CLI ${cli.ms.toFixed(0)} ms, peak RSS ${(cli.maxRssKb / 1024).toFixed(0)} MB`);
    const baseline = { name: 'SELECT count(*) FROM episode_outcomes', value: Number(count.toFixed(1)), unit: 'ms' };
    ctx.record({
      measure: `export teds-d, every discharge (${rows.toLocaleString('en-US')} rows) streamed to a file`, value: Math.round(ms), unit: 'ms', baseline,
      ratio: ms / count, target: `≤ 2× + ${CONSTANT_MS} ms`, met: ms <= 2 * count + CONSTANT_MS, command,
      note: `median of ${RUNS}, in-process (metrics/exports/teds-d.ts to a file) without CLI start-up; ${Math.round(rate).toLocaleString('en-US')} rows/s`,
    });
    ctx.record({
      measure: 'export teds-d rows/s streamed to a file', value: Math.round(rate), unit: 'rows/s', command,
      note: `${rows.toLocaleString('en-US')} rows, ${(bytes / 2 ** 20).toFixed(1)} MB; the rate of the timing above`,
    });
    ctx.record({
      measure: 'export teds-d peak RSS (whole CLI command)', value: Math.round(cli.maxRssKb / 1024), unit: 'MB', command,
      note: `process.resourceUsage().maxRSS of iop export teds-d --out, ${Math.round(cli.ms)} ms with start-up and migrations check; rows are fetched 5,000 at a time, so it stays flat with the range`,
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
