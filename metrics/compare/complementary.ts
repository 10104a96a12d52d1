import { isSmall } from '../stats/suppression';

export interface UnitCount {
  n: number;
  events: number;
}

/**
 * Which units to hide whole, and whose event counts to hide, so that no small count
 * follows from a total (docs/comparisons.md "Suppression and disclosure"). A comparison
 * publishes its totals in effect: `notes.modelled` and the model's n give Σn, and a
 * logistic model with an intercept gives Σ events (Σ E = Σ O; in a crude model the
 * intercept is logit(ΣO/Σn)). So, as for a row of counts with a published total
 * (metrics/stats/suppression.ts), a single hidden unit would be the total minus the
 * others: the next smallest is hidden with it.
 * - whole: units with n of 1 … min_cell − 1, and one more when exactly one is;
 * - events: those units, units whose events or non-events are small, and one more
 *   (the smallest positive visible count) when exactly one unit's events are hidden.
 */
export function hiddenUnits(counts: ReadonlyMap<string, UnitCount>, minCell: number): { whole: Set<string>; events: Set<string> } {
  const keys = [...counts.keys()];
  const get = (k: string) => counts.get(k) as UnitCount;
  const whole = new Set(keys.filter((k) => isSmall(get(k).n, minCell)));
  if (whole.size === 1) addSmallest(whole, keys, (k) => get(k).n);
  const events = new Set([...whole, ...keys.filter((k) => isSmall(get(k).events, minCell) || isSmall(get(k).n - get(k).events, minCell))]);
  if (events.size === 1) addSmallest(events, keys, (k) => get(k).events);
  return { whole, events };
}

function addSmallest(hidden: Set<string>, keys: readonly string[], value: (k: string) => number): void {
  const next = keys.filter((k) => !hidden.has(k) && value(k) > 0).sort((a, b) => value(a) - value(b) || (a < b ? -1 : a > b ? 1 : 0))[0];
  if (next !== undefined) hidden.add(next);
}
