import type { GroupBy } from './filters';
import { AGE_BANDS } from '../warehouse/rules';
import { KEY_SEPARATOR, UNKNOWN_KEY } from './sql/scope';
import type { GroupKey } from './types';

/** The parts of a stratum `grp`: one value per dimension of `group_by` (metrics/sql/scope.ts joins them). */
export function keyParts(groupBy: readonly GroupBy[], value: string): string[] {
  return groupBy.length === 1 ? [value] : value.split(KEY_SEPARATOR);
}

/** A group's `key`: `{track: "day"}`, or for a two-way table `{track: "day", race: "white"}`. */
export function groupKey(groupBy: readonly GroupBy[], value: string): GroupKey {
  const parts = keyParts(groupBy, value);
  return Object.fromEntries(groupBy.map((d, i) => [d, parts[i] ?? UNKNOWN_KEY]));
}

/** One dimension's values in key order. */
function compareValues(d: GroupBy, a: string, b: string): number {
  if (a === b) return 0;
  if (a === UNKNOWN_KEY) return 1;
  if (b === UNKNOWN_KEY) return -1;
  if (d === 'age_band') {
    return AGE_BANDS.findIndex((x) => x.band === a) - AGE_BANDS.findIndex((x) => x.band === b);
  }
  return a < b ? -1 : 1;
}

/**
 * Groups come out "ordered by key" (docs/metrics.md): age bands in age order, other
 * keys in code-point order (so periods are chronological), `unknown` last; a two-way
 * table by its first dimension, then its second.
 */
export function compareKeys(groupBy: readonly GroupBy[], a: string, b: string): number {
  const pa = keyParts(groupBy, a);
  const pb = keyParts(groupBy, b);
  for (let i = 0; i < groupBy.length; i++) {
    const c = compareValues(groupBy[i] as GroupBy, pa[i] ?? '', pb[i] ?? '');
    if (c !== 0) return c;
  }
  return 0;
}

export function sortedGroups(groupBy: readonly GroupBy[], values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => compareKeys(groupBy, a, b));
}
