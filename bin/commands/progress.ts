import { Command, Option } from 'commander';
import { codePattern } from '../../ingest/fields';
import { formatProgressModel } from '../../metrics/progress/format';
import { fitProgressModel, ProgressModelError } from '../../metrics/progress/model';
import { TIME_SCALES, type TimeScale } from '../../metrics/progress/episode-sums';
import { readDataVersion } from '../../ingest/lineage';
import { saveProgressFit } from '../../warehouse/progress-fits';
import { withWarehouse, type CliContext } from '../context';
import { FailureError, UsageError } from '../errors';

interface ModelFlags {
  instrument?: string;
  time: TimeScale;
  bands: boolean;
  json?: boolean;
  save?: boolean;
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
    .option('--save', 'store the fit with its date and the data version it saw (docs/progress.md "Stored fits")')
    .action(async (o: ModelFlags) => {
      const code = o.instrument ?? '';
      if (!codePattern.test(code)) throw new UsageError(`--instrument must be an instrument code, got "${code}"`);
      // One repeatable-read snapshot: the data version stored is that of the scores fitted.
      const { model, saved } = await withWarehouse(ctx, (wh) => wh.db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
        try {
          const version = await readDataVersion(trx);
          const fitted = await fitProgressModel(trx, { instrument: code, time: o.time, bands: o.bands });
          const stored = o.save ? { ...(await saveProgressFit(trx, { instrument: code, time_scale: o.time, bands: o.bands, data_version: version, model: fitted })), data_version: version } : null;
          return { model: fitted, saved: stored };
        } catch (e) {
          if (e instanceof ProgressModelError) throw e.kind === 'usage' ? new UsageError(e.message) : new FailureError(e.message);
          throw e;
        }
      }));
      if (o.json) return ctx.out(JSON.stringify(saved ? { ...model, saved } : model));
      ctx.out(formatProgressModel(model) + (saved ? `\n\nSaved as fit ${saved.fit_id} at ${saved.fitted_at} (data version ${saved.data_version})` : ''));
    });
}
