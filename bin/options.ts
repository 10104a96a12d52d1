import type { Command } from 'commander';
import { GROUP_BY, LIST_FILTERS, type ListFilter } from '../metrics/filters';
import type { CliContext } from './context';

/** A repeatable option's values, in the order given (`--track day --track evening`). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The flag of each list filter (docs/cli.md "Dimensions and filters"): `age_band` is `--age-band`. */
const LIST_FLAGS: Record<ListFilter, { flag: string; prop: string; help: string }> = {
  site: { flag: '--site <code>', prop: 'site', help: 'site code (repeatable)' },
  clinician: { flag: '--clinician <id>', prop: 'clinician', help: 'primary clinician id (repeatable)' },
  sex: { flag: '--sex <sex>', prop: 'sex', help: 'female|male|other|unknown (repeatable)' },
  age_band: { flag: '--age-band <band>', prop: 'ageBand', help: 'age band at admission, e.g. 18-25 or 65+ (repeatable)' },
  race: { flag: '--race <race>', prop: 'race', help: 'race as recorded, any case (repeatable)' },
  ethnicity: { flag: '--ethnicity <ethnicity>', prop: 'ethnicity', help: 'ethnicity as recorded, any case (repeatable)' },
  substance: { flag: '--substance <name>', prop: 'substance', help: 'primary substance (repeatable; relapse also counts only tests of it)' },
};

/**
 * The scope every aggregate command takes (docs/cli.md): tracks and the admission range
 * as of a date, and the list filters of the dimensions.
 */
export function scopeOptions(cmd: Command): Command {
  cmd
    .option('--track <code>', 'track code (repeatable)', collect)
    .option('--from <date>', 'first admission date, YYYY-MM-DD')
    .option('--to <date>', 'last admission date, YYYY-MM-DD')
    .option('--as-of <date>', 'as-of date, YYYY-MM-DD (default: today, UTC)');
  for (const k of LIST_FILTERS) cmd.option(LIST_FLAGS[k].flag, LIST_FLAGS[k].help, collect);
  return cmd;
}

/** `--group-by`: one or two dimensions, comma-separated. */
export function groupByOption(cmd: Command): Command {
  return cmd.option('--group-by <keys>', `one or two of ${GROUP_BY.join('|')}, comma-separated (default: track)`);
}

/** The options of scopeOptions → the raw filter object the API receives as query parameters (one zod schema for both). */
export function scopeFlags(flags: Record<string, unknown>): Record<string, unknown> {
  const raw: Record<string, unknown> = { track: flags.track, from: flags.from, to: flags.to, as_of: flags.asOf };
  for (const k of LIST_FILTERS) raw[k] = flags[LIST_FLAGS[k].prop];
  return Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
}

/** The small-cell threshold, whose default is the configured one. */
export function minCellOption(cmd: Command, ctx: CliContext): Command {
  return cmd.option('--min-cell <n>', `small-cell threshold (default: IOP_MIN_CELL, ${ctx.config.minCell}); 0 turns suppression off`);
}
