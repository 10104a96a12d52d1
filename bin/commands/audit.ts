import type { Command } from 'commander';
import { verifyAuditChain } from '../../warehouse/audit/verify';
import { withWarehouse, type CliContext } from '../context';
import { FailureError } from '../errors';

/**
 * `iop audit verify [--json]`: walks the audit log's hash chain (docs/security.md "Audit
 * guarantees"). Exit 0 when it is intact; exit 2 naming the first broken row otherwise.
 * `--json` prints the report as one document either way.
 */
export function registerAudit(program: Command, ctx: CliContext): void {
  const audit = program.command('audit').description('the audit log of API requests and CLI reads');
  audit
    .command('verify')
    .description('check the audit log\'s hash chain; exit 0 when intact, 2 with the first broken row')
    .option('--json', 'print one JSON document')
    .action(async (o: { json?: boolean }) => {
      const report = await withWarehouse(ctx, (wh) => verifyAuditChain(wh.db), 2);
      if (o.json) ctx.out(JSON.stringify(report));
      if (!report.ok) {
        throw new FailureError(`audit chain broken at row ${report.broken_at} (position ${report.chain_seq} of the chain): ${report.message}`);
      }
      if (!o.json) ctx.out(`audit chain intact: ${report.rows} rows, last position ${report.head.chain_seq}, head hash ${report.head.hash}`);
    });
}
