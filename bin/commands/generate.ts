import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { generateCohort } from '../../tools/generate/index';
import type { CliContext } from '../context';
import { UsageError } from '../errors';

/** `iop generate [--episodes N] [--seed S] --out DIR` (docs/cli.md). */
export function registerGenerate(program: Command, ctx: CliContext): void {
  program
    .command('generate')
    .description('write a synthetic IOP cohort as canonical CSVs, deterministic per seed')
    .requiredOption('--out <dir>', 'output folder')
    .option('--episodes <n>', 'number of episodes', '2000')
    .option('--seed <s>', 'random seed', '1')
    .option('--as-of <date>', 'the last day of the data (default: today, UTC)')
    .option('--json', 'print the summary as one JSON document')
    .action(async (o: { out: string; episodes: string; seed: string; asOf?: string; json?: boolean }) => {
      const episodes = Number(o.episodes);
      const seed = Number(o.seed);
      if (!Number.isInteger(episodes) || episodes < 1) throw new UsageError(`--episodes must be a positive whole number, got "${o.episodes}"`);
      if (!Number.isInteger(seed)) throw new UsageError(`--seed must be a whole number, got "${o.seed}"`);
      if (o.asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(o.asOf)) throw new UsageError(`--as-of must be YYYY-MM-DD, got "${o.asOf}"`);
      const bar = process.stderr.isTTY ? new SingleBar({ format: 'generate [{bar}] {value}/{total} episodes', stream: process.stderr }) : null;
      bar?.start(episodes, 0);
      try {
        const summary = await generateCohort({ episodes, seed, outDir: o.out, asOf: o.asOf, onProgress: (done) => bar?.update(done) });
        ctx.out(o.json ? JSON.stringify(summary) : [
          `wrote ${summary.episodes} episodes (${summary.patients} patients), seed ${summary.seed}, as of ${summary.asOf}, to ${summary.outDir}:`,
          ...summary.files.map((f) => `  ${f.path}  ${f.rows} rows`),
          ...summary.badFiles.map((f) => `  ${f.path}  ${f.rows} deliberately bad rows`),
        ].join('\n'));
      } catch (e) {
        if (e instanceof Error && /asOf|episodes|seed/.test(e.message) && e.name === 'ZodError') throw new UsageError(e.message);
        throw e;
      } finally {
        bar?.stop();
      }
    });
}
