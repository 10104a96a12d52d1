import { Command, Option } from 'commander';
import { codePattern } from '../../ingest/fields';
import { formatProgressModel } from '../../metrics/progress/format';
import { fitProgressModel, ProgressModelError } from '../../metrics/progress/model';
import { TIME_SCALES, type TimeScale } from '../../metrics/progress/episode-sums';
import { withWarehouse, type CliContext } from '../context';
import { FailureError, UsageError } from '../errors';

interface ModelFlags {
  instrument?: string;
  time: TimeScale;
  bands: boolean;
  json?: boolean;
}

/** `progress model` (docs/progress.md): the expected-recovery mixed model. */
export function registerProgress(program: Command, ctx: CliContext): void {
  const progress = program.command('progress').description('expected recovery: the mixed model of symptom trajectories');
  progress
    .command('model')
    .description('fit score ~ time * baseline band + (time | episode) by REML and print it like lme4')
    .requiredOption('--instrument <code>', 'the instrument to model')
    .addOption(new Option('--time <scale>', 'time since admission: log(weeks + 1) or weeks').choices(TIME_SCALES).default('log'))
    .option('--no-bands', 'leave out the baseline band and band × time')
    .option('--json', 'print one JSON document')
    .action(async (o: ModelFlags) => {
      const code = o.instrument ?? '';
      if (!codePattern.test(code)) throw new UsageError(`--instrument must be an instrument code, got "${code}"`);
      const model = await withWarehouse(ctx, async (wh) => {
        try {
          return await fitProgressModel(wh.db, { instrument: code, time: o.time, bands: o.bands });
        } catch (e) {
          if (e instanceof ProgressModelError) throw e.kind === 'usage' ? new UsageError(e.message) : new FailureError(e.message);
          throw e;
        }
      });
      ctx.out(o.json ? JSON.stringify(model) : formatProgressModel(model));
    });
}
