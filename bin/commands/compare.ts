import { Command, Option } from 'commander';
import { computeComparison, parseCompare, ADJUSTERS, COMPARE_BY, COMPARE_OUTCOMES } from '../../metrics/compare/index';
import { comparisonTable } from '../../metrics/compare/format';
import { MetricFilterError } from '../../metrics/index';
import { OVERDISPERSION } from '../../metrics/stats/funnel';
import { withWarehouse, type CliContext } from '../context';
import { minCellOption, scopeFlags, scopeOptions } from '../options';
import { UsageError } from '../errors';

interface CompareFlags extends Record<string, unknown> {
  by?: string;
  adjustFor?: string;
  overdispersion?: string;
  instrument?: string;
  minCell?: string;
  format: 'json' | 'table';
}


/** `iop compare <outcome>` (docs/comparisons.md); `--format json` is the API body. */
export function registerCompare(program: Command, ctx: CliContext): void {
  const cmd = program.command('compare')
    .description('Case-mix adjusted O/E by unit with funnel limits, or rates by race or ethnicity (docs/comparisons.md)')
    .argument('<outcome>', COMPARE_OUTCOMES.join('|'))
    .option('--by <unit>', `${COMPARE_BY.join('|')} (default: track)`)
    .option('--adjust-for <list>', `comma list of ${ADJUSTERS.join(', ')}, or none (default: all four)`)
    .option('--overdispersion <model>', `${OVERDISPERSION.join('|')} (default: none)`)
    .option('--instrument <code>', 'instrument of the baseline covariate and of remission (default: PHQ-9)');
  minCellOption(scopeOptions(cmd), ctx)
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'table']).default('json'))
    .action(async (outcome: string, flags: CompareFlags) => {
      const raw = Object.fromEntries(Object.entries({
        by: flags.by, adjust_for: flags.adjustFor, overdispersion: flags.overdispersion, instrument: flags.instrument,
        ...scopeFlags(flags), min_cell: flags.minCell,
      }).filter(([, v]) => v !== undefined));
      const parsed = parseCompare(outcome, raw);
      if (!parsed.ok) throw new UsageError(parsed.error.error);
      const { request } = parsed;
      const response = await withWarehouse(ctx, async (wh) => {
        try {
          return await computeComparison(wh.db, request, request.filters.min_cell ?? ctx.config.minCell);
        } catch (e) {
          if (e instanceof MetricFilterError) throw new UsageError(e.message);
          throw e;
        }
      }, 4);
      ctx.out(flags.format === 'table' ? comparisonTable(response) : JSON.stringify(response));
    });
}
