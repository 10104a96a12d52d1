import { Command, Option } from 'commander';
import { codePattern } from '../../ingest/fields';
import { formatProgressModel } from '../../metrics/progress/format';
import { fitProgressModel, ProgressModelError } from '../../metrics/progress/model';
import { TIME_SCALES, type TimeScale } from '../../metrics/progress/episode-sums';
import { readDataVersion } from '../../ingest/lineage';
import { saveProgressFit } from '../../warehouse/progress-fits';
import { auditCliRead } from '../../warehouse/audit/write';
import { todayUtc } from '../../metrics/filters';
import { episodeHeader, progressAlerts, progressEpisode } from '../../metrics/progress/alerts';
import { currentFit, type CurrentFit } from '../../metrics/progress/current-fit';
import { formatAlerts, formatEpisode } from '../../metrics/progress/format';
import { ProgressAlertsQuerySchema, ProgressEpisodeQuerySchema } from '../../metrics/progress/schema';
import type { Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import type { ZodError } from 'zod';
import { withWarehouse, type CliContext } from '../context';
import { FailureError, UsageError } from '../errors';
import { collect } from '../options';

interface ModelFlags {
  instrument?: string;
  time: TimeScale;
  bands: boolean;
  json?: boolean;
  save?: boolean;
}

interface AlertFlags {
  instrument?: string;
  asOf?: string;
  track?: string[];
  clinician?: string[];
  json?: boolean;
}

/** A flag error as the filters print it: the parameter, the value and what was expected. */
function usage(e: ZodError, raw: Record<string, unknown>): UsageError {
  return new UsageError(e.issues.map((i) => {
    const param = String(i.path[0] ?? '');
    return `--${param.replace(/_/g, '-')}${param in raw ? ` ${JSON.stringify(raw[param])}` : ''}: ${i.message}`;
  }).join('; '));
}

/** The instrument's current fit (docs/progress.md "Stored fits"), with the model's errors as exit codes. */
async function fitOrExit(db: Kysely<DB>, instrument: string): Promise<CurrentFit> {
  try {
    return await currentFit(db, instrument);
  } catch (e) {
    if (e instanceof ProgressModelError) throw e.kind === 'usage' ? new UsageError(e.message) : new FailureError(e.message);
    throw e;
  }
}

/** `progress model|alerts|episode` (docs/progress.md): the expected-recovery mixed model and its alerts. */
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

  progress
    .command('alerts')
    .description('open episodes not on track: latest score outside the band\'s 80% limit, or reliably worse than baseline')
    .option('--instrument <code>', 'the instrument (default PHQ-9)')
    .option('--as-of <date>', 'judge the episodes open on this day, YYYY-MM-DD (default: today, UTC)')
    .option('--track <code>', 'track code (repeatable)', collect)
    .option('--clinician <id>', 'primary clinician (repeatable)', collect)
    .option('--json', 'print one JSON document (as GET /api/v1/progress/alerts)')
    .action(async (o: AlertFlags) => {
      const raw = { instrument: o.instrument, as_of: o.asOf, track: o.track, clinician: o.clinician };
      const parsed = ProgressAlertsQuerySchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
      if (!parsed.success) throw usage(parsed.error, raw);
      const q = parsed.data;
      const answer = await withWarehouse(ctx, async (wh) => {
        const fit = await fitOrExit(wh.db, q.instrument);
        const a = await progressAlerts(wh.db, fit, { instrument: q.instrument, as_of: q.as_of ?? todayUtc(), track: q.track ?? null, clinician: q.clinician ?? null });
        await auditCliRead(wh.db, 'progress alerts', { ...raw, json: o.json ?? false, episodes: a.alerts.length });
        return a;
      });
      ctx.out(o.json ? JSON.stringify(answer) : formatAlerts(answer));
    });

  progress
    .command('episode')
    .description('one episode\'s scores against its expected band, with the RC threshold')
    .argument('<id>', 'the episode id')
    .option('--instrument <code>', 'the instrument (default PHQ-9)')
    .option('--as-of <date>', 'judge the alert rules on this day, YYYY-MM-DD (default: today, UTC)')
    .option('--json', 'print one JSON document (as GET /api/v1/progress/episodes/{id})')
    .action(async (id: string, o: AlertFlags) => {
      const raw = { instrument: o.instrument, as_of: o.asOf };
      const parsed = ProgressEpisodeQuerySchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
      if (!parsed.success) throw usage(parsed.error, raw);
      const q = parsed.data;
      const answer = await withWarehouse(ctx, async (wh) => {
        const header = await episodeHeader(wh.db, id);
        if (!header) throw new UsageError(`no episode ${JSON.stringify(id)} in the warehouse`);
        const fit = await fitOrExit(wh.db, q.instrument);
        const a = await progressEpisode(wh.db, fit, header, q.as_of ?? todayUtc());
        await auditCliRead(wh.db, 'progress episode', { id, ...raw, json: o.json ?? false, scores: a.scores.length });
        return a;
      });
      ctx.out(o.json ? JSON.stringify(answer) : formatEpisode(answer));
    });
}
