import type { Command } from 'commander';
import { withWarehouse, type CliContext } from '../context';
import { refreshEpisodes } from '../../warehouse/models/refresh';
import { readModelState } from '../../warehouse/models/state';

/** `iop refresh [--full]` (docs/cli.md). */
export function registerRefresh(program: Command, ctx: CliContext): void {
  program
    .command('refresh')
    .description('rebuild the per-episode outcome models when they are stale (ingest keeps them current itself)')
    .option('--full', 'rebuild every episode even when the models are current')
    .action(async (o: { full?: boolean }) => {
      const out = await withWarehouse(ctx, async (wh) => {
        const state = await readModelState(wh.db);
        if (!o.full && state && !state.stale) {
          return `models are current (refreshed as of ${state.refreshed_as_of ?? 'never'}); use --full to rebuild anyway`;
        }
        const n = await wh.db.transaction().execute((trx) => refreshEpisodes(trx, 'all'));
        return `refreshed ${n} episodes`;
      });
      ctx.out(out);
    });
}
