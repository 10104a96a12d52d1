import type { Command } from 'commander';
import { startServer } from '../../api/server';
import type { CliContext } from '../context';
import { UsageError } from '../errors';
import { readConfig, startJobScheduler } from './jobs';
import { untilSignal } from '../signals';

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new UsageError(`--port must be 0–65535, got "${value}"`);
  return port;
}

/**
 * `iop serve [--port P] [--host H] [--jobs CONFIG]` (docs/cli.md): the API and the
 * dashboard (and, with --jobs, the ingest-job scheduler) until SIGINT/SIGTERM, then a
 * clean stop (running jobs finish; in-flight audit rows are flushed on close).
 */
export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('run the API and the dashboard')
    .option('--port <port>', `port to listen on (default: IOP_PORT, ${ctx.config.port})`)
    .option('--host <host>', `interface to bind (default: IOP_HOST, ${ctx.config.host})`)
    .option('--rate-limit <n>', 'requests per IP per minute, 0 for no limit (default 1000)')
    .option('--jobs <config>', 'also run the ingest-job scheduler of this config (e.g. iop.config.json)')
    .action(async (o: { port?: string; host?: string; rateLimit?: string; jobs?: string }) => {
      const port = o.port === undefined ? ctx.config.port : parsePort(o.port);
      const limit = o.rateLimit === undefined ? 1000 : Number(o.rateLimit);
      if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`--rate-limit must be a whole number ≥ 0, got "${o.rateLimit}"`);
      const jobsConfig = o.jobs === undefined ? undefined : readConfig(o.jobs);
      // Listen for the stop signal before anything starts, so an early SIGTERM still stops cleanly.
      const stopped = untilSignal();
      const wh = await ctx.openWarehouse(20);
      try {
        const scheduler = jobsConfig ? startJobScheduler(ctx, wh, jobsConfig) : undefined;
        const server = await startServer({ wh, config: ctx.config, logger: ctx.log, port, host: o.host ?? ctx.config.host, rateLimitPerMinute: limit === 0 ? false : limit });
        ctx.out(`IOP Outcomes is serving at ${server.url} (API docs: ${server.url}/docs)`);
        const signal = await stopped;
        ctx.log.info({ signal }, 'stopping');
        await scheduler?.stop();
        await server.close();
      } finally {
        await wh.close();
      }
    });
}
