import type { KmRow } from './kaplan-meier';

/**
 * A count that must not be shown: 1 to minCell − 1 (docs/metrics.md "Small-cell
 * suppression"; CMS cell-size rule, 1–10 for minCell 11). Zero is never
 * suppressed; minCell 0 or 1 disables suppression.
 */
export function isSmall(count: number, minCell: number): boolean {
  if (minCell <= 1) return false;
  return count >= 1 && count <= minCell - 1;
}

function smallestVisiblePositive(counts: Record<string, number>, hidden: ReadonlySet<string>): string | null {
  const candidates = Object.entries(counts)
    .filter(([key, value]) => !hidden.has(key) && value > 0)
    .sort(([ka, a], [kb, b]) => a - b || (ka < kb ? -1 : ka > kb ? 1 : 0));
  return candidates[0]?.[0] ?? null;
}

/**
 * Keys of a row of counts to suppress: every small count (primary), plus, when
 * exactly one count is suppressed and the row's total is published (`total` not
 * null), the next smallest positive count (complementary), so that
 * total − Σ visible no longer equals the hidden count. Ties go to the key that
 * sorts first. Zeros are never picked: hiding a zero hides nothing.
 *
 * The complement is added whenever a total is published, even if the counts do
 * not add up to it (categories missing from the row): the reader may know the
 * rest. A total that is itself small is the group rule's business (a group with
 * n < minCell is suppressed whole), not this function's.
 */
export function suppressCounts(counts: Record<string, number>, total: number | null, minCell: number): Set<string> {
  const hidden = new Set(Object.keys(counts).filter((key) => isSmall(counts[key] ?? 0, minCell)));
  if (total === null || hidden.size !== 1) return hidden;
  const complement = smallestVisiblePositive(counts, hidden);
  if (complement !== null) hidden.add(complement);
  return hidden;
}

function isReportable(count: number, minCell: number): boolean {
  return count === 0 || count >= minCell;
}

/**
 * A KM curve safe to publish under small-cell suppression (docs/metrics.md "Small-cell
 * suppression": KM curves are coarsened, not just cut). Consecutive days merge into
 * one step until it holds zero or ≥ minCell events and zero or ≥ minCell
 * censorings. Each step reports its last day, `at_risk` at its start, its events
 * and censorings, and S, SE and CI after it (the full curve's values on the
 * step's last day, so they stay exact). The curve ends before the first step
 * that starts with fewer than minCell at risk or never reaches those counts.
 * A group with n < minCell yields no curve; minCell ≤ 1 changes nothing.
 */
export function coarsenKm(curve: readonly KmRow[], n: number, minCell: number): KmRow[] {
  if (minCell <= 1) return [...curve];
  if (n < minCell) return [];
  const steps: KmRow[] = [];
  let start: KmRow | null = null;
  let events = 0;
  let censored = 0;
  for (const row of curve) {
    if (!start) {
      if (row.at_risk < minCell) break;
      start = row;
    }
    events += row.events;
    censored += row.censored;
    if (isReportable(events, minCell) && isReportable(censored, minCell)) {
      steps.push({ ...row, at_risk: start.at_risk, events, censored });
      start = null;
      events = 0;
      censored = 0;
    }
  }
  return steps;
}
