import type { GroupBy } from './filters';
import { AGE_BANDS } from '../warehouse/rules';
import { UNKNOWN_KEY } from './sql/scope';
import type { GroupKey } from './types';

export function groupKey(groupBy: GroupBy, value: string): GroupKey {
  return { [groupBy]: value };
}

/**
 * Groups come out "ordered by key" (docs/metrics.md): age bands in age order, other
 * keys in code-point order (so periods are chronological), `unknown` last.
 */
export function compareKeys(groupBy: GroupBy, a: string, b: string): number {
  if (a === b) return 0;
  if (a === UNKNOWN_KEY) return 1;
  if (b === UNKNOWN_KEY) return -1;
  if (groupBy === 'age_band') {
    return AGE_BANDS.findIndex((x) => x.band === a) - AGE_BANDS.findIndex((x) => x.band === b);
  }
  return a < b ? -1 : 1;
}

export function sortedGroups(groupBy: GroupBy, values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => compareKeys(groupBy, a, b));
}
