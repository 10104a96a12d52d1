import type { Command } from 'commander';
import { withWarehouse, type CliContext } from '../context';
import { listBatches } from '../../ingest/lineage';

/** `iop batches [--json]`: the ingest batches of the lineage (docs/cli.md). */
export function registerBatches(program: Command, ctx: CliContext): void {
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
}
