import type { Command } from 'commander';
import { withWarehouse, type CliContext } from '../context';
import { UsageError } from '../errors';
import { auditCliRead } from '../../warehouse/audit/write';
import { listRejects } from '../../ingest/lineage';

/** `iop rejects [--batch ID] [--json]`: the quarantined rows of the lineage (docs/cli.md). */
export function registerRejects(program: Command, ctx: CliContext): void {
  program
    .command('rejects')
    .description('list quarantined rows with their errors')
    .option('--batch <id>', 'only this batch')
    .option('--json', 'print one JSON document')
    .action(async (o: { batch?: string; json?: boolean }) => {
      if (o.batch && !/^[0-9a-f-]{36}$/i.test(o.batch)) throw new UsageError(`--batch must be a batch id (a UUID), got "${o.batch}"`);
      const rows = await withWarehouse(ctx, async (wh) => {
        const found = await listRejects(wh.db, { batch: o.batch });
        // Rejected rows hold raw source rows (patient-level): audited before they are printed.
        await auditCliRead(wh.db, 'rejects', { batch: o.batch, json: o.json ?? false, rows: found.length });
        return found;
      });
      if (o.json) return ctx.out(JSON.stringify(rows));
      ctx.out(rows.length ? rows.map((r) => {
        const errs = (r.errors as { column: string; value: string | null; message: string }[])
          .map((e) => `${e.column || 'row'}${e.value !== null ? `="${e.value}"` : ''}: ${e.message}`).join('; ');
        return `${r.batch_id} line ${r.line}: ${errs}`;
      }).join('\n') : 'no rejected rows');
    });
}
