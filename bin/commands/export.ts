import fs from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { checkedSecret, ExportSecretError } from '../../metrics/exports/pseudonym';
import { parseTedsDRange, tedsDischargeCsv } from '../../metrics/exports/teds-d';
import { auditCliRead } from '../../warehouse/audit/write';
import { withWarehouse, type CliContext } from '../context';
import { ConfigurationError, UsageError } from '../errors';

interface TedsFlags {
  from?: string;
  to?: string;
  out?: string;
}

/**
 * `iop export teds-d --from D --to D [--out FILE]` (docs/funder-reporting.md "TEDS-D
 * discharge extract"): the CSV of `GET /api/v1/exports/teds-d`, to a file or stdout. A
 * file is written under a temporary name and renamed when complete, so a failed export
 * never leaves a partial extract under the name asked for.
 */
export function registerExport(program: Command, ctx: CliContext): void {
  const exp = program.command('export').description('funder extracts (docs/funder-reporting.md)');
  exp
    .command('teds-d')
    .description('TEDS-D discharge records of the episodes discharged in [from, to], CASEID-pseudonymized (needs IOP_EXPORT_SECRET)')
    .option('--from <date>', 'first discharge date, YYYY-MM-DD (required)')
    .option('--to <date>', 'last discharge date, YYYY-MM-DD, inclusive (required)')
    .option('--out <file>', 'write the CSV to this file (default: stdout)')
    .action(async (flags: TedsFlags) => {
      const parsed = parseTedsDRange(Object.fromEntries(Object.entries({ from: flags.from, to: flags.to }).filter(([, v]) => v !== undefined)));
      if (!parsed.ok) throw new UsageError(`Invalid TEDS-D range: ${parsed.error.details.map((d) => `--${d.param}${d.value === undefined ? '' : ` "${String(d.value).slice(0, 40)}"`}: ${d.message}`).join('; ')}`);
      if (flags.out !== undefined) checkOut(flags.out);
      let secret: string;
      try {
        secret = checkedSecret(ctx.config.exportSecret);
      } catch (e) {
        if (e instanceof ExportSecretError) throw new ConfigurationError(e.message);
        throw e;
      }
      const { range } = parsed;
      await withWarehouse(ctx, async (wh) => {
        // Patient-level rows, pseudonymized: audited before the first byte is written.
        await auditCliRead(wh.db, 'export teds-d', { from: range.from, to: range.to, out: flags.out ?? 'stdout' });
        const chunks = Readable.from(tedsDischargeCsv(wh, range, secret));
        if (flags.out === undefined) return pipeline(chunks, stdoutOf());
        const partial = path.join(path.dirname(flags.out), `.${path.basename(flags.out)}.partial`);
        try {
          await pipeline(chunks, fs.createWriteStream(partial, { mode: 0o600 }));
          fs.renameSync(partial, flags.out);
        } catch (e) {
          fs.rmSync(partial, { force: true });
          throw e;
        }
      }, 2);
    });
}

/** `--out` must name a file in a folder that exists (checked before anything is read or audited). */
function checkOut(out: string): void {
  if (out === '' || (fs.existsSync(out) && fs.statSync(out).isDirectory())) throw new UsageError(`--out must name a file, got "${out}"`);
  const dir = path.dirname(path.resolve(out));
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`--out: the folder ${dir} does not exist`);
}

/** stdout as a pipeline target that is not ended with the extract (the process still writes after it). */
function stdoutOf(): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      if (process.stdout.write(chunk)) done();
      else process.stdout.once('drain', () => done());
    },
  });
}
