import type { Cells } from './cells';
import { kaplanMeier, medianWithCi, type CountRow, type KmCurve } from './stats/kaplan-meier';
import { logRank } from './stats/log-rank';
import { coarsenKm } from './stats/suppression';
import type { KmFields, LogRankOut } from './types';

/** A Kaplan–Meier count table of one stratum: (group, day, events, censored), the shape retention and relapse count in SQL. */
export interface KmCountRow {
  grp: string;
  day: number;
  events: number;
  censored: number;
}

/** The count rows of each group, as the estimator takes them. */
export function groupRows(rows: readonly KmCountRow[]): Map<string, CountRow[]> {
  const byGroup = new Map<string, CountRow[]>();
  for (const { grp, day, events, censored } of rows) {
    const list = byGroup.get(grp) ?? [];
    list.push({ day, events, censored });
    byGroup.set(grp, list);
  }
  return byGroup;
}

/**
 * KM fields of a group (docs/metrics.md "Retention"; relapse reuses them). The
 * median and its CI come from the full curve; the published curve is coarsened
 * under suppression, and `curve` is listed as suppressed when coarsening changed it.
 */
export function kmFields(rows: readonly CountRow[], cells: Cells): { fields: KmFields; km: KmCurve } {
  const km = kaplanMeier(rows);
  const median = medianWithCi(km);
  const curve = coarsenKm(km.curve, km.n, cells.minCell);
  if (!sameCurve(curve, km.curve)) cells.hide('curve');
  const events = cells.isSmall(km.n - km.events) ? null : cells.count('events', km.events);
  if (events === null) cells.hide('events');
  return {
    km,
    fields: {
      events,
      median_days: median.median,
      median_ci: [median.lower, median.upper],
      curve,
    },
  };
}

function sameCurve(a: readonly { day: number; events: number; censored: number }[], b: typeof a): boolean {
  return a.length === b.length && a.every((r, i) => r.day === b[i]?.day && r.events === b[i]?.events && r.censored === b[i]?.censored);
}

/** Log-rank across the groups present (R `survdiff`); null with fewer than two. */
export function logRankOut(groups: readonly (readonly CountRow[])[]): LogRankOut | null {
  if (groups.length < 2) return null;
  const result = logRank(groups);
  return result ? { chi2: result.chi2, df: result.df, p: result.p } : null;
}
