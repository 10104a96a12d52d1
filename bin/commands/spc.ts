import { Command, Option } from 'commander';
import { MetricFilterError } from '../../metrics/index';
import { computeSpc, isSpcSeries, parseSpcFilters, SPC_SERIES_NAMES, SpcSeriesError, type SpcResponse } from '../../metrics/spc/index';
import { spcToCsv, spcToTable } from '../../metrics/spc/format';
import { withWarehouse, type CliContext } from '../context';
import { collect, minCellOption, scopeFlags, scopeOptions } from '../options';
import { UsageError } from '../errors';

const FORMATS = ['json', 'csv', 'table'] as const;
type Format = (typeof FORMATS)[number];

interface SpcFlags extends Record<string, unknown> {
  instrument?: string;
  period?: string;
  periodBasis?: string;
  laney?: boolean;
  split?: string[];
  minCell?: string;
  format: Format;
}


/** Flags → the raw filter object the API receives as query parameters (one parser for both). */
function rawFilters(flags: SpcFlags): Record<string, unknown> {
  const raw: Record<string, unknown> = {
    ...scopeFlags(flags), instrument: flags.instrument,
    period: flags.period, period_basis: flags.periodBasis, laney: flags.laney, split: flags.split, min_cell: flags.minCell,
  };
  return Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
}

function render(response: SpcResponse, format: Format): string {
  if (format === 'csv') return spcToCsv(response);
  if (format === 'table') return spcToTable(response);
  return JSON.stringify(response);
}

async function run(ctx: CliContext, series: string, flags: SpcFlags): Promise<void> {
  if (!isSpcSeries(series)) throw new UsageError(`Unknown SPC series "${series}"; known series: ${SPC_SERIES_NAMES.join(', ')}`);
  const parsed = parseSpcFilters(rawFilters(flags));
  if (!parsed.ok) throw new UsageError(parsed.error.error);
  const filters = parsed.filters;
  const response = await withWarehouse(ctx, async (wh) => {
    try {
      return await computeSpc(wh.db, series, filters, { minCell: filters.metric.min_cell ?? ctx.config.minCell, targets: ctx.config.spcTargets });
    } catch (e) {
      if (e instanceof MetricFilterError || e instanceof SpcSeriesError) throw new UsageError(e.message);
      throw e;
    }
  }, 4);
  ctx.out(render(response, flags.format));
}

/** `iop spc <series> [filters]` (docs/metrics.md "SPC charts"); `--format json` is byte-for-byte the API body. */
export function registerSpc(program: Command, ctx: CliContext): void {
  const cmd = program.command('spc')
    .description(`Prints an SPC chart with Anhøj run rules (docs/metrics.md "SPC charts"); series: ${SPC_SERIES_NAMES.join(', ')}`)
    .argument('<series>', SPC_SERIES_NAMES.join('|'));
  scopeOptions(cmd)
    .option('--instrument <code>', 'instrument for remission (default: PHQ-9)')
    .option('--period <unit>', 'month|quarter (default: month)')
    .option('--period-basis <basis>', 'admission|discharge (default: admission); discharge groups by discharge date, for completion, positive-discharge and length-of-stay')
    .option('--laney', "Laney p'-chart (p-charts only)")
    .option('--split <date>', 'a change date that opens a new phase (repeatable)', collect);
  minCellOption(cmd, ctx)
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('json'))
    .action((series: string, flags: SpcFlags) => run(ctx, series, flags));
}
