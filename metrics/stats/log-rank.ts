import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import { collapseCounts, type CountRow } from './kaplan-meier';
import { solveLinear } from './linear-solve';

export interface LogRank {
  chi2: number;
  df: number;
  p: number;
  /** Per input group, in input order. */
  observed: number[];
  expected: number[];
}

interface Accumulated {
  observed: number[];
  expected: number[];
  variance: number[][];
}

/** Per group, the number still at risk on each pooled day (n_g(t) = those with day ≥ t). */
function atRiskTable(groups: readonly CountRow[][], days: readonly number[]): number[][] {
  return groups.map((rows) => {
    let remaining = rows.reduce((s, r) => s + r.events + r.censored, 0);
    let i = 0;
    return days.map((day) => {
      while (i < rows.length && (rows[i]?.day ?? Infinity) < day) {
        remaining -= (rows[i]?.events ?? 0) + (rows[i]?.censored ?? 0);
        i++;
      }
      return remaining;
    });
  });
}

/**
 * Observed, expected and the hypergeometric covariance of O − E, summed over
 * event days, as in R `survival` survdiff2.c with rho = 0:
 * E_g += d·n_g/n and V_gh += d(n−d)/(n−1) · (n_g/n)(δ_gh − n_h/n), for n > 1.
 */
function accumulate(groups: readonly CountRow[][]): Accumulated {
  const k = groups.length;
  const days = [...new Set(groups.flatMap((g) => g.map((r) => r.day)))].sort((a, b) => a - b);
  const eventsOn = groups.map((g) => new Map(g.map((r) => [r.day, r.events])));
  const atRisk = atRiskTable(groups, days);
  const observed = eventsOn.map((m) => [...m.values()].reduce((s, d) => s + d, 0));
  const expected = new Array<number>(k).fill(0);
  const variance = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  days.forEach((day, t) => {
    const risk = atRisk.map((col) => col[t] ?? 0);
    const n = risk.reduce((s, v) => s + v, 0);
    const d = eventsOn.reduce((s, m) => s + (m.get(day) ?? 0), 0);
    if (d === 0 || n === 0) return;
    const spread = n > 1 ? (d * (n - d)) / (n - 1) : 0;
    risk.forEach((ng, g) => {
      expected[g] = (expected[g] ?? 0) + (d * ng) / n;
      const row = variance[g] ?? [];
      risk.forEach((nh, h) => {
        row[h] = (row[h] ?? 0) + spread * (ng / n) * ((g === h ? 1 : 0) - nh / n);
      });
    });
  });
  return { observed, expected, variance };
}

/**
 * Mantel–Haenszel log-rank test across k groups (R `survdiff`, rho = 0).
 * Like R, groups with no expected events are left out of the statistic and the
 * degrees of freedom, and the first remaining group is dropped to invert the
 * (k−1)×(k−1) variance matrix. Null when fewer than two groups remain, or when
 * the variance matrix is singular (where R's `solve` stops with an error).
 */
export function logRank(groups: readonly (readonly CountRow[])[]): LogRank | null {
  const collapsed = groups.map((g) => collapseCounts(g));
  const { observed, expected, variance } = accumulate(collapsed);
  const used = expected.flatMap((e, g) => (e > 0 ? [g] : []));
  if (used.length < 2) return null;
  const rest = used.slice(1);
  const diff = rest.map((g) => (observed[g] ?? 0) - (expected[g] ?? 0));
  const matrix = rest.map((g) => rest.map((h) => variance[g]?.[h] ?? 0));
  const solved = solveLinear(matrix, diff);
  if (!solved) return null;
  const chi2 = solved.reduce((s, v, i) => s + v * (diff[i] ?? 0), 0);
  const df = used.length - 1;
  return { chi2, df, p: 1 - chisquareCdf(chi2, df), observed, expected };
}
