import type { Command } from 'commander';
import { withWarehouse, type CliContext } from '../context';
import { UsageError } from '../errors';
import { refreshEpisodes } from '../../warehouse/models/refresh';
import { readModelState } from '../../warehouse/models/state';
import { migrate } from '../../warehouse/db';
import { listBatches, listRejects } from '../../ingest/lineage';

/** `migrate`, `batches`, `rejects` and `refresh` (DESIGN.md §6). */
export function registerLineage(program: Command, ctx: CliContext): void {
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

  program
    .command('batches')
    .description('list ingest batches (lineage)')
    .option('--json', 'print one JSON document')
    .action(async (o: { json?: boolean }) => {
      const rows = await withWarehouse(ctx, (wh) => listBatches(wh.db));
      if (o.json) return ctx.out(JSON.stringify(rows));
      ctx.out(rows.length ? rows.map((b) =>
        `${b.batch_id}  ${new Date(b.started_at).toISOString()}  ${b.entity.padEnd(11)} ${b.status.padEnd(9)} read ${b.rows_read} +${b.inserted} ~${b.updated} =${b.unchanged} !${b.rejected}  ${b.source_name}${b.error ? `  (${b.error})` : ''}`,
      ).join('\n') : 'no batches yet');
    });

  program
    .command('rejects')
    .description('list quarantined rows with their errors')
    .option('--batch <id>', 'only this batch')
    .option('--json', 'print one JSON document')
    .action(async (o: { batch?: string; json?: boolean }) => {
      if (o.batch && !/^[0-9a-f-]{36}$/i.test(o.batch)) throw new UsageError(`--batch must be a batch id (a UUID), got "${o.batch}"`);
      const rows = await withWarehouse(ctx, (wh) => listRejects(wh.db, { batch: o.batch }));
      if (o.json) return ctx.out(JSON.stringify(rows));
      ctx.out(rows.length ? rows.map((r) => {
        const errs = (r.errors as { column: string; value: string | null; message: string }[])
          .map((e) => `${e.column || 'row'}${e.value !== null ? `="${e.value}"` : ''}: ${e.message}`).join('; ');
        return `${r.batch_id} line ${r.line}: ${errs}`;
      }).join('\n') : 'no rejected rows');
    });

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
