import { Command, Option } from 'commander';
import { computeMetric, FAMILIES, MetricFilterError } from '../../metrics/index';
import { parseFilters } from '../../metrics/filters';
import { toCsv, toTable } from '../../metrics/format';
import type { MetricName, MetricResponse } from '../../metrics/types';
import { withWarehouse, type CliContext } from '../context';
import { groupByOption, minCellOption, scopeFlags, scopeOptions } from '../options';
import { UsageError } from '../errors';

const FORMATS = ['json', 'csv', 'table'] as const;
type Format = (typeof FORMATS)[number];

interface MetricFlags extends Record<string, unknown> {
  groupBy?: string;
  period?: string;
  instrument?: string;
  minCell?: string;
  missingAsPositive?: string;
  format: Format;
}


/** Flags → the raw filter object the API also receives as query parameters (one zod schema for both). */
function rawFilters(flags: MetricFlags): Record<string, unknown> {
  const raw: Record<string, unknown> = {
    ...scopeFlags(flags), group_by: flags.groupBy,
    period: flags.period, instrument: flags.instrument, min_cell: flags.minCell,
    missing_as_positive: flags.missingAsPositive,
  };
  return Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
}

export function render(response: MetricResponse, format: Format): string {
  if (format === 'csv') return toCsv(response);
  if (format === 'table') return toTable(response);
  return JSON.stringify(response);
}

async function run(ctx: CliContext, name: MetricName, flags: MetricFlags): Promise<void> {
  const parsed = parseFilters(rawFilters(flags));
  if (!parsed.ok) throw new UsageError(parsed.error.error);
  const filters = parsed.filters;
  const response = await withWarehouse(ctx, async (wh) => {
    try {
      return await computeMetric(wh.db, name, filters, { minCell: filters.min_cell ?? ctx.config.minCell });
    } catch (e) {
      if (e instanceof MetricFilterError) throw new UsageError(e.message);
      throw e;
    }
  }, 4);
  ctx.out(render(response, flags.format));
}

/** `iop metrics <family> [filters]` (docs/cli.md); `--format json` is byte-for-byte the API body. */
export function registerMetrics(program: Command, ctx: CliContext): void {
  const metrics = program.command('metrics').description('Prints an outcome metric (docs/metrics.md) as JSON, CSV or a table');
  // one command per registered family (metrics/families.ts)
  for (const { name } of Object.values(FAMILIES)) {
    const cmd = metrics.command(name).description(`${name} by group (docs/metrics.md)`);
    groupByOption(scopeOptions(cmd))
      .option('--period <unit>', 'month|quarter|year, with --group-by period (default: month)')
      .option('--instrument <code>', 'instrument for symptoms (default: PHQ-9)')
      .option('--missing-as-positive <bool>', 'relapse: refused/missed tests count as positive (default: true)');
    minCellOption(cmd, ctx)
      .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('json'))
      .action((flags: MetricFlags) => run(ctx, name, flags));
  }
}
