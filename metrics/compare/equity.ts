import { Cells, withSuppressed } from '../cells';
import { riskRatio } from '../stats/risk-ratio';
import { wilson } from '../stats/wilson';
import { hiddenUnits } from './complementary';
import { UNKNOWN_KEY } from '../sql/scope';
import type { CompareEpisodeRow } from './episodes';
import type { EquityComparison, EquityGroupRow } from './schema';

/**
 * The equity view (docs/comparisons.md "Equity"): each group's unadjusted rate with its
 * Wilson interval, and its ratio to the largest group with a known value (Katz log
 * interval). A ratio to a reference whose rate is suppressed would give that rate back,
 * so then no ratio is published.
 */

interface Counts {
  n: number;
  events: number;
}

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function countsByGroup(rows: readonly CompareEpisodeRow[]): Map<string, Counts> {
  const out = new Map<string, Counts>();
  for (const r of rows) {
    const c = out.get(r.unit) ?? { n: 0, events: 0 };
    c.n++;
    if (r.y) c.events++;
    out.set(r.unit, c);
  }
  return out;
}

/** The largest group with a known value; ties go to the key first in code-point order. */
export function referenceGroup(counts: ReadonlyMap<string, Counts>): string | null {
  const known = [...counts.entries()].filter(([k]) => k !== UNKNOWN_KEY).sort(([ka, a], [kb, b]) => b.n - a.n || byCodePoint(ka, kb));
  return known[0]?.[0] ?? null;
}

/**
 * The same outcome by track publishes Σn and Σ events (docs/comparisons.md), so groups are
 * suppressed with their complements as units are (metrics/compare/complementary.ts).
 */
export function equityGroups(counts: ReadonlyMap<string, Counts>, minCell: number): Pick<EquityComparison, 'reference' | 'groups'> {
  const reference = referenceGroup(counts);
  const hidden = hiddenUnits(counts, minCell);
  const ratiosShown = reference !== null && !hidden.events.has(reference);
  const ref = reference === null ? undefined : counts.get(reference);
  const keys = [...counts.keys()].sort((a, b) => (a === UNKNOWN_KEY ? 1 : b === UNKNOWN_KEY ? -1 : byCodePoint(a, b)));
  const groups = keys.map((key): EquityGroupRow => {
    const c = counts.get(key) as Counts;
    if (hidden.whole.has(key)) return { key, suppressed: ['all'] };
    const cells = new Cells(minCell);
    if (hidden.events.has(key)) {
      cells.hide('events', 'rate', 'rate_ci', 'ratio', 'ratio_ci');
      return withSuppressed({ key, n: c.n, events: null, rate: null, rate_ci: null, ratio: null, ratio_ci: null }, cells);
    }
    const rate = c.n === 0 ? null : c.events / c.n;
    let ratio: number | null = null;
    let ratioCi: [number, number] | null = null;
    if (!ratiosShown) {
      cells.hide('ratio', 'ratio_ci');
    } else if (key === reference) {
      ratio = 1; // the reference itself: no interval, it is not an estimate
    } else if (ref !== undefined) {
      const rr = riskRatio(c.events, c.n, ref.events, ref.n);
      ratio = rr?.ratio ?? null;
      ratioCi = rr?.ci ?? null;
    }
    return withSuppressed({ key, n: c.n, events: c.events, rate, rate_ci: wilson(c.events, c.n), ratio, ratio_ci: ratioCi }, cells);
  });
  return { reference, groups };
}
