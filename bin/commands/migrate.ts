import type { Command } from 'commander';
import { withWarehouse, type CliContext } from '../context';
import { migrate } from '../../warehouse/db';

/** `iop migrate` (docs/cli.md). */
export function registerMigrate(program: Command, ctx: CliContext): void {
  program
    .command('migrate')
    .description('apply pending migrations (every other command also does)')
    .action(async () => {
      await withWarehouse(ctx, async (wh) => {
        // Opening the warehouse already applied them; anything left is a race with another process.
        const applied = [...(wh.migrated ?? []), ...(await migrate(wh.db))];
        ctx.out(applied.length ? `applied: ${applied.join(', ')}` : 'up to date');
      });
    });
}
