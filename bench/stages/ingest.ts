import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { ingestCsv } from '../../ingest/loader';
import { ENTITY_NAMES, type EntityName } from '../../ingest/entities';
import { ATTENDANCE_COLUMNS } from '../../tools/generate/attendance';
import { runCli, timed, type BenchContext } from '../context';

/**
 * Ingest throughput (BENCHMARKS.md): `iop ingest attendance` (validation, staging, merge,
 * lineage, refresh, as a user runs it) against a raw `COPY` of the same file into an
 * unindexed table, timed in the same run; and the ingest's peak RSS.
 */
export async function benchIngest(ctx: BenchContext, opts: { dimensionsOnly?: boolean } = {}): Promise<void> {
  const file = (entity: string) => {
    const f = ctx.data.files.find((x) => x.entity === entity);
    if (!f) throw new Error(`generator wrote no ${entity} file`);
    return f;
  };
  // The dimensions in load order (ENTITY_NAMES: referenced entities first), up to the episodes.
  const dimensions = ENTITY_NAMES.slice(0, ENTITY_NAMES.indexOf('episodes') + 1).filter((e) => ctx.data.files.some((f) => f.entity === e));
  for (const entity of dimensions) {
    await ingestCsv(ctx.wh, { entity, input: fs.createReadStream(file(entity).path), sourceName: `bench ${entity}` });
  }
  if (opts.dimensionsOnly) return;
  const att = file('attendance');

  const client = await ctx.wh.pool.connect();
  try {
    // The raw-COPY baseline takes the file as the generator writes it, every column as text.
    await client.query('drop table if exists bench_copy');
    await client.query(`create table bench_copy (${ATTENDANCE_COLUMNS.map((c) => `${c} text`).join(', ')})`);
    const copy = await timed(() => pipeline(fs.createReadStream(att.path), client.query(copyFrom('copy bench_copy from stdin with (format csv, header true)'))));
    await client.query('drop table bench_copy');
    const copyRate = att.rows / (copy.ms / 1000);
    ctx.log(`raw COPY: ${att.rows} rows in ${(copy.ms / 1000).toFixed(2)} s`);

    const run = await runCli(['ingest', 'attendance', att.path, '--json'], { ...process.env, DATABASE_URL: ctx.url });
    if (run.code !== 0) throw new Error(`ingest failed (${run.code}): ${run.stdout}`);
    const rate = att.rows / (run.ms / 1000);
    ctx.log(`iop ingest attendance: ${att.rows} rows in ${(run.ms / 1000).toFixed(2)} s, peak RSS ${(run.maxRssKb / 1024).toFixed(0)} MB`);
    ctx.record({
      measure: `ingest attendance (${att.rows.toLocaleString('en-US')} rows), rows/s`,
      value: Math.round(rate), unit: 'rows/s',
      baseline: { name: 'raw COPY into an unindexed table', value: Math.round(copyRate), unit: 'rows/s' },
      ratio: rate / copyRate, target: '≥ 0.6×', met: rate / copyRate >= 0.6,
      command: `npm run -s iop -- ingest attendance ${att.path} --json`,
      note: 'whole command, including process start-up, validation, staging, merge, lineage and model refresh',
    });
    ctx.record({
      measure: `ingest attendance peak RSS (${att.rows.toLocaleString('en-US')} rows)`,
      value: Math.round(run.maxRssKb / 1024), unit: 'MB', target: '≤ 300 MB', met: run.maxRssKb / 1024 <= 300,
      command: `npm run -s iop -- ingest attendance ${att.path}`,
    });
  } finally {
    client.release();
  }
  for (const entity of ['assessments', 'abstinence', 'followups'] as EntityName[]) {
    if (!ctx.data.files.some((x) => x.entity === entity)) continue;
    const f = file(entity);
    const t = await timed(() => ingestCsv(ctx.wh, { entity, input: fs.createReadStream(f.path), sourceName: `bench ${entity}` }));
    ctx.log(`ingest ${entity}: ${f.rows} rows in ${(t.ms / 1000).toFixed(2)} s`);
    ctx.record({ measure: `ingest ${entity} (${f.rows.toLocaleString('en-US')} rows), rows/s`, value: Math.round(f.rows / (t.ms / 1000)), unit: 'rows/s', command: `npm run -s iop -- ingest ${entity} ${f.path}` });
  }
}
