import { Option, type Command } from 'commander';
import { MetricFilterError } from '../../metrics/index';
import { computeMeasure, MEASURE_FORMATS, MEASURE_NAMES, parseMeasureRequest, type MeasureFormat } from '../../metrics/measures/index';
import { measureReport } from '../../metrics/measures/fhir';
import { measureCsv } from '../../metrics/measures/format';
import { auditCliRead } from '../../warehouse/audit/write';
import { withWarehouse, type CliContext } from '../context';
import { UsageError } from '../errors';
import { groupByOption, minCellOption, scopeFlags, scopeOptions } from '../options';

interface MeasureFlags extends Record<string, unknown> {
  groupBy?: string;
  period?: string;
  minCell?: string;
  rows?: boolean;
  anyDiagnosis?: boolean;
  format: MeasureFormat;
}

/**
 * `iop measures <name>` (docs/measures.md): a standard measure with its labels, rates and
 * strata; `--format json` is byte-for-byte the body of `GET /api/v1/measures/{name}`.
 * `--rows` adds the per-episode audit trail; the read is audited before it is printed.
 */
export function registerMeasures(program: Command, ctx: CliContext): void {
  const cmd = program.command('measures')
    .description('Prints a standard measure (docs/measures.md) as JSON, CSV or a FHIR MeasureReport')
    .argument('<name>', MEASURE_NAMES.join('|'));
  groupByOption(scopeOptions(cmd))
    .option('--period <unit>', 'month|quarter|year, with --group-by period (default: month)')
    .option('--any-diagnosis', 'depression measures: drop the depression-diagnosis requirement')
    .option('--rows', 'add one row per episode of the initial population (audited)');
  minCellOption(cmd, ctx)
    .addOption(new Option('--format <format>', 'output format').choices(MEASURE_FORMATS).default('json'))
    .action(async (name: string, flags: MeasureFlags) => {
      const raw = Object.fromEntries(Object.entries({
        ...scopeFlags(flags), group_by: flags.groupBy, period: flags.period,
        min_cell: flags.minCell, rows: flags.rows, any_diagnosis: flags.anyDiagnosis,
      }).filter(([, v]) => v !== undefined));
      const parsed = parseMeasureRequest(name, raw, ctx.config.holidays);
      if (!parsed.ok) throw new UsageError(parsed.error.error);
      const req = parsed.request;
      const response = await withWarehouse(ctx, async (wh) => {
        try {
          const r = await computeMeasure(wh.db, req, req.ctx.filters.min_cell ?? ctx.config.minCell);
          if (r.rows) {
            await auditCliRead(wh.db, `measures ${name}`, { ...raw, format: flags.format, rows: r.rows.length });
          }
          return r;
        } catch (e) {
          if (e instanceof MetricFilterError) throw new UsageError(e.message);
          throw e;
        }
      }, 4);
      if (flags.format === 'csv') ctx.out(measureCsv(response, req.spec.labels));
      else if (flags.format === 'fhir') ctx.out(JSON.stringify(measureReport(response)));
      else ctx.out(JSON.stringify(response));
    });
}
