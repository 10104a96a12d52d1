import type { Command } from 'commander';
import { withWarehouse, type CliContext } from '../context';

/** `iop batches [--json]`: the ingest batches of the lineage (DESIGN.md §6). */
export function registerBatches(program: Command, ctx: CliContext): void {
  program
    .command('batches')
    .description('list ingest batches (lineage)')
    .option('--json', 'print one JSON document')
    .action(async (o: { json?: boolean }) => {
      const rows = await withWarehouse(ctx, (wh) =>
        wh.db.selectFrom('ingest_batches')
          .select(['batch_id', 'entity', 'source_name', 'file_sha256', 'started_at', 'finished_at', 'status', 'rows_read',
            'inserted', 'updated', 'unchanged', 'rejected', 'warnings', 'error'])
          .orderBy('started_at').orderBy('batch_id').execute());
      if (o.json) return ctx.out(JSON.stringify(rows));
      ctx.out(rows.length ? rows.map((b) =>
        `${b.batch_id}  ${new Date(b.started_at).toISOString()}  ${b.entity.padEnd(11)} ${b.status.padEnd(9)} read ${b.rows_read} +${b.inserted} ~${b.updated} =${b.unchanged} !${b.rejected}  ${b.source_name}${b.error ? `  (${b.error})` : ''}`,
      ).join('\n') : 'no batches yet');
    });
}
