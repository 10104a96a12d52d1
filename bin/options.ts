import type { Command } from 'commander';
import type { CliContext } from './context';

/** A repeatable option's values, in the order given (`--track day --track evening`). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The scope every aggregate command takes (docs/cli.md): tracks and the admission range as of a date. */
export function scopeOptions(cmd: Command): Command {
  return cmd
    .option('--track <code>', 'track code (repeatable)', collect)
    .option('--from <date>', 'first admission date, YYYY-MM-DD')
    .option('--to <date>', 'last admission date, YYYY-MM-DD')
    .option('--as-of <date>', 'as-of date, YYYY-MM-DD (default: today, UTC)');
}

/** The small-cell threshold, whose default is the configured one. */
export function minCellOption(cmd: Command, ctx: CliContext): Command {
  return cmd.option('--min-cell <n>', `small-cell threshold (default: IOP_MIN_CELL, ${ctx.config.minCell}); 0 turns suppression off`);
}
