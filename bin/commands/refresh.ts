import type { Command } from 'commander';
import { withWarehouse, type CliContext } from '../context';
import { refreshAll } from '../../warehouse/models/refresh';
import { readModelState } from '../../warehouse/models/state';
import { refitProgressFits, type RefitOutcome } from '../../metrics/progress/refit';

function refitLine(r: RefitOutcome): string {
  switch (r.status) {
    case 'refitted': return `progress fit ${r.instrument}: refitted (fit ${r.fit_id}, ${r.episodes} episodes, ${(r.seconds ?? 0).toFixed(1)} s)`;
    case 'current': return `progress fit ${r.instrument}: current (fit ${r.fit_id} saw this data version)`;
    case 'too_few_episodes': return `progress fit ${r.instrument}: not fitted (${r.episodes} episodes with scores)`;
    case 'failed': return `progress fit ${r.instrument}: could not be fitted: ${r.message ?? ''}`;
  }
}

/**
 * `iop refresh [--full] [--no-progress]` (docs/cli.md): the per-episode models when stale,
 * then the expected-recovery fits whose data changed (docs/progress.md "Stored fits").
 */
export function registerRefresh(program: Command, ctx: CliContext): void {
  program
    .command('refresh')
    .description('rebuild the per-episode outcome models when they are stale (ingest keeps them current itself)')
    .option('--full', 'rebuild every episode even when the models are current')
    .option('--no-progress', 'leave the expected-recovery fits alone')
    .action(async (o: { full?: boolean; progress: boolean }) => {
      const out = await withWarehouse(ctx, async (wh) => {
        const state = await readModelState(wh.db);
        const models = !o.full && state && !state.stale
          ? `models are current (refreshed as of ${state.refreshed_as_of ?? 'never'}); use --full to rebuild anyway`
          : `refreshed ${await refreshAll(wh.db)} episodes`;
        if (!o.progress) return models;
        return [models, ...(await refitProgressFits(wh.db)).map(refitLine)].join('\n');
      });
      ctx.out(out);
    });
}
