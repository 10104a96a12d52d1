import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE, JobsConfigError, loadJobsConfig, type JobsConfig, type JobSource } from '../../ingest/jobs/config';
import { lastRuns, type JobRunRow } from '../../ingest/jobs/job-runs';
import { runJob, type JobResult } from '../../ingest/jobs/run-job';
import { cronSchedule } from '../../ingest/jobs/schedule';
import { startScheduler } from '../../ingest/jobs/scheduler';
import { withWarehouse, type CliContext } from '../context';
import { FailureError, UsageError } from '../errors';
import type { Warehouse } from '../../warehouse/db';
import { untilSignal } from '../signals';

interface ConfigOpt {
  config: string;
  json?: boolean;
}

/** `iop jobs list|run [NAME]|start`: scheduled ingest from drop folders and FHIR servers (docs/jobs.md). */
export function registerJobs(program: Command, ctx: CliContext): void {
  const jobs = program.command('jobs').description(`scheduled ingest jobs from drop folders and FHIR R4 servers (config: ${DEFAULT_CONFIG_FILE})`);
  const configOption = ['--config <file>', 'jobs config (JSON)', DEFAULT_CONFIG_FILE] as const;

  jobs.command('list')
    .description('list the sources with their next and last run')
    .option(...configOption)
    .option('--json', 'print one JSON document')
    .action(async (o: ConfigOpt) => {
      const config = readConfig(o.config);
      const runs = await withWarehouse(ctx, (wh) => lastRuns(wh.db));
      const rows = config.sources.map((s) => listing(s, runs.get(s.name)));
      ctx.out(o.json ? JSON.stringify({ sources: rows }) : rows.map(describeListing).join('\n'));
    });

  jobs.command('run')
    .description('run one source (or every source) once, now')
    .argument('[name]', 'the source to run (default: all, in config order)')
    .option(...configOption)
    .option('--json', 'print one JSON document')
    .action(async (name: string | undefined, o: ConfigOpt) => {
      const sources = pick(readConfig(o.config), name);
      const results = await withWarehouse(ctx, async (wh) => {
        const out: JobResult[] = [];
        for (const s of sources) out.push(await runJob(wh, s));
        return out;
      });
      ctx.out(o.json ? JSON.stringify({ runs: results }) : results.map(describeResult).join('\n'));
      const failed = results.filter((r) => r.status === 'failed');
      if (failed.length) throw new FailureError(`${failed.length} job(s) failed: ${failed.map((r) => r.source).join(', ')}`);
    });

  jobs.command('start')
    .description('run the scheduler in the foreground until SIGINT or SIGTERM')
    .option(...configOption)
    .action(async (o: ConfigOpt) => {
      const config = readConfig(o.config);
      await withWarehouse(ctx, async (wh) => {
        const scheduler = startJobScheduler(ctx, wh, config);
        const signal = await untilSignal();
        ctx.log.info({ signal }, 'stopping: waiting for running jobs');
        await scheduler.stop();
      });
    });
}

/** The scheduler over a config's sources, logging each run; `iop jobs start` and `iop serve --jobs` share it. */
export function startJobScheduler(ctx: CliContext, wh: Warehouse, config: JobsConfig): { stop(): Promise<void> } {
  const byName = new Map(config.sources.map((s) => [s.name, s]));
  const scheduler = startScheduler(config.sources, async (name) => {
    const src = byName.get(name);
    if (!src) return;
    const r = await runJob(wh, src);
    const log = r.status === 'failed' ? ctx.log.error.bind(ctx.log) : ctx.log.info.bind(ctx.log);
    log({ source: r.source, status: r.status, batches: r.batches, error: r.error }, 'job run');
  }, { onError: (job, e) => ctx.log.error({ job, err: e }, 'job crashed') });
  ctx.log.info({ sources: config.sources.length, next: Object.fromEntries(scheduler.nextRuns()) }, 'scheduler started');
  return scheduler;
}

export function readConfig(file: string): JobsConfig {
  try {
    return loadJobsConfig(file, process.env);
  } catch (e) {
    if (e instanceof JobsConfigError) throw new UsageError(e.message);
    throw e;
  }
}

function pick(config: JobsConfig, name: string | undefined): readonly JobSource[] {
  if (!name) return config.sources;
  const src = config.sources.find((s) => s.name === name);
  if (!src) throw new UsageError(`no source named "${name}" in ${config.file}; sources: ${config.sources.map((s) => s.name).join(', ')}`);
  return [src];
}

function listing(s: JobSource, last: JobRunRow | undefined) {
  const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
  return {
    name: s.name, kind: s.kind, schedule: s.schedule,
    target: s.kind === 'folder' ? `${s.entity} ← ${s.path}` : `${s.resource_types.join(',')} ← ${s.base_url}`,
    next_run: iso(cronSchedule(s.schedule).next(new Date())),
    last_run: last ? { started_at: iso(last.started_at), finished_at: iso(last.finished_at), status: last.status, batches: last.batches, error: last.error } : null,
  };
}

function describeListing(r: ReturnType<typeof listing>): string {
  const last = r.last_run ? `${r.last_run.status} at ${r.last_run.started_at ?? ''} (${r.last_run.batches} batch(es))${r.last_run.error ? `: ${r.last_run.error}` : ''}` : 'never';
  return `${r.name} [${r.kind}] ${r.target}\n  schedule ${r.schedule}, next ${r.next_run ?? 'never'}\n  last run: ${last}`;
}

function describeResult(r: JobResult): string {
  const head = `${r.source}: ${r.status}, ${r.batches} batch(es)${r.error ? ` — ${r.error}` : ''}`;
  const files = r.folder?.files.map((f) => `  ${f.file}: ${f.status}${f.error ? ` (${f.error})` : ''}`) ?? [];
  const fhir = r.fhir ? [`  ${r.fhir.resources_read} resource(s) in ${r.fhir.pages} page(s), ${r.fhir.quarantined} quarantined`] : [];
  return [head, ...files, ...fhir].join('\n');
}
