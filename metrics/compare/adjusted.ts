import { isSmall } from '../stats/suppression';
import { fitLogistic, type Covariate, type LogisticFit, type LogisticProblem, type LogisticResult } from '../stats/logistic';
import {
  funnelLimits, funnelPosition, ratioInterval, sqrtDispersion, type Dispersion, type Overdispersion,
} from '../stats/funnel';
import { hiddenUnits } from './complementary';
import type { CompareEpisodeRow } from './episodes';
import type { Adjuster } from './request';
import type { AdjustedComparison, CompareModel, ComparisonUnit } from './schema';

/**
 * The case-mix adjusted comparison of units (docs/comparisons.md): one logistic model
 * over every unit's episodes, E per unit from its fitted probabilities, O/E against
 * funnel limits, and small-cell suppression of the units and of the model table.
 */

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

interface Modelled {
  rows: CompareEpisodeRow[];
  withoutBaseline: number;
  withoutAge: number;
}

/** Complete cases: an episode without a baseline (or a birth year) cannot be adjusted for it. */
function completeCases(rows: readonly CompareEpisodeRow[], adjustFor: readonly Adjuster[]): Modelled {
  const needBaseline = adjustFor.includes('baseline');
  const needAge = adjustFor.includes('age');
  const withoutBaseline = needBaseline ? rows.filter((r) => r.baseline === null).length : 0;
  const withoutAge = needAge ? rows.filter((r) => r.age === null && !(needBaseline && r.baseline === null)).length : 0;
  const kept = rows.filter((r) => !(needBaseline && r.baseline === null) && !(needAge && r.age === null));
  return { rows: kept, withoutBaseline, withoutAge };
}

/**
 * One row per distinct (outcome, covariate values) pattern with its frequency, and each
 * episode's pattern: the frequency-weighted fit equals the episode-level fit
 * (metrics/stats/logistic.ts) and is far smaller at scale (200k episodes share a few
 * thousand patterns), and an episode's fitted probability is its pattern's.
 */
interface Patterns {
  y: number[];
  weights: number[];
  covariates: Covariate[];
  /** The pattern of each episode, in row order. */
  of: number[];
}

function patterns(rows: readonly CompareEpisodeRow[], adjustFor: readonly Adjuster[]): Patterns {
  const index = new Map<string, number>();
  const reps: CompareEpisodeRow[] = [];
  const weights: number[] = [];
  const of = rows.map((r) => {
    const key = JSON.stringify([r.y, ...adjustFor.map((a) => r[a])]);
    let k = index.get(key);
    if (k === undefined) {
      k = reps.length;
      index.set(key, k);
      reps.push(r);
      weights.push(0);
    }
    weights[k] = (weights[k] ?? 0) + 1;
    return k;
  });
  const covariates = adjustFor.map((a): Covariate => {
    switch (a) {
      case 'baseline': return { name: 'baseline', kind: 'numeric', values: reps.map((r) => r.baseline ?? 0) };
      case 'age': return { name: 'age', kind: 'numeric', values: reps.map((r) => r.age ?? 0) };
      case 'sex': return { name: 'sex', kind: 'categorical', values: reps.map((r) => r.sex) };
      case 'substance': return { name: 'substance', kind: 'categorical', values: reps.map((r) => r.substance) };
    }
  });
  return { y: reps.map((r) => (r.y ? 1 : 0)), weights, covariates, of };
}

/** Per categorical level: its episodes and events among the modelled rows. */
function levelCounts(rows: readonly CompareEpisodeRow[], covariate: 'sex' | 'substance'): Map<string, { n: number; events: number }> {
  const out = new Map<string, { n: number; events: number }>();
  for (const r of rows) {
    const c = out.get(r[covariate]) ?? { n: 0, events: 0 };
    c.n++;
    if (r.y) c.events++;
    out.set(r[covariate], c);
  }
  return out;
}

const isSmallCell = (c: { n: number; events: number } | undefined, minCell: number): boolean =>
  c !== undefined && (isSmall(c.n, minCell) || isSmall(c.events, minCell) || isSmall(c.n - c.events, minCell));

/**
 * The model table. A categorical level with a small count of episodes, events or non-events
 * has its row withheld: its coefficient and SE would give its event count back. When the
 * reference level is small, the intercept (its log-odds) and the covariate's other rows are
 * withheld too.
 */
function modelTable(fit: LogisticResult, rows: readonly CompareEpisodeRow[], minCell: number): CompareModel {
  if (!fit.ok) {
    return {
      status: fit.problem, message: problemMessage(fit, rows, minCell), n: fit.n, coefficients: [], reference_levels: {},
      deviance: null, null_deviance: null, df_residual: null, df_null: null, aic: null, c_statistic: null, iterations: null,
    };
  }
  const counts = { sex: levelCounts(rows, 'sex'), substance: levelCounts(rows, 'substance') };
  const smallReference = new Set(Object.entries(fit.reference_levels)
    .filter(([cov, level]) => (cov === 'sex' || cov === 'substance') && isSmallCell(counts[cov].get(level), minCell))
    .map(([cov]) => cov));
  const coefficients = fit.coefficients.map((c) => {
    const cov = c.covariate;
    const hide = (c.covariate === null && smallReference.size > 0)
      || ((cov === 'sex' || cov === 'substance') && (smallReference.has(cov) || isSmallCell(counts[cov].get(c.level ?? ''), minCell)));
    const { estimate, std_error, z, p } = c;
    return hide
      ? { term: c.term, covariate: c.covariate, level: c.level, estimate: null, std_error: null, z: null, p: null, suppressed: ['estimate', 'std_error', 'z', 'p'] }
      : { term: c.term, covariate: c.covariate, level: c.level, estimate, std_error, z, p };
  });
  return {
    status: 'ok', message: null, n: fit.n, coefficients, reference_levels: fit.reference_levels,
    deviance: fit.deviance, null_deviance: fit.null_deviance, df_residual: fit.df_residual, df_null: fit.df_null,
    aic: fit.aic, c_statistic: fit.c_statistic, iterations: fit.iterations,
  };
}

/**
 * The fit's own message, except that a separating level with a small count is not named
 * with its outcome: "every episode with sex = other dropped out" would tell about a handful
 * of clients.
 */
function problemMessage(fit: LogisticProblem, rows: readonly CompareEpisodeRow[], minCell: number): string {
  const cov = fit.covariate;
  if (fit.problem !== 'separation' || (cov !== 'sex' && cov !== 'substance') || !isSmallCell(levelCounts(rows, cov).get(fit.level ?? ''), minCell)) return fit.message;
  return `Quasi-complete separation: the episodes of one ${cov} level with fewer than ${minCell} episodes (not named, to protect them) all share one outcome, so its coefficient runs off to infinity and no finite estimate exists. Combine sparse ${cov} levels or leave ${cov} out.`;
}

interface UnitTotals {
  n: number;
  observed: number;
  expected: number;
}

function unitTotals(rows: readonly CompareEpisodeRow[], of: readonly number[], fit: LogisticFit | null): Map<string, UnitTotals> {
  const out = new Map<string, UnitTotals>();
  rows.forEach((r, i) => {
    const t = out.get(r.unit) ?? { n: 0, observed: 0, expected: 0 };
    t.n++;
    if (r.y) t.observed++;
    t.expected += fit?.fitted[of[i] ?? -1] ?? 0;
    out.set(r.unit, t);
  });
  return out;
}

interface Hidden {
  whole: boolean;
  observed: boolean;
}

function unitRow(key: string, t: UnitTotals, fitted: boolean, hidden: Hidden, overdispersion: Overdispersion, d: Dispersion): ComparisonUnit {
  if (hidden.whole) return { key, suppressed: ['all'] };
  const hideObserved = hidden.observed;
  const expected = fitted ? t.expected : null;
  if (expected === null || expected <= 0) {
    return {
      key, n: t.n, observed: hideObserved ? null : t.observed, expected, oe: null, oe_ci: null, limits: null, position: null,
      ...(hideObserved ? { suppressed: ['observed'] } : {}),
    };
  }
  const limits = funnelLimits(expected, overdispersion, d);
  if (hideObserved) {
    return { key, n: t.n, observed: null, expected, oe: null, oe_ci: null, limits, position: null, suppressed: ['observed', 'oe', 'oe_ci', 'position'] };
  }
  const oe = t.observed / expected;
  return { key, n: t.n, observed: t.observed, expected, oe, oe_ci: ratioInterval(t.observed, expected), limits, position: funnelPosition(oe, limits) };
}

/** Limits along E for drawing the funnel: 50 points, evenly spaced on a log scale. */
function funnelCurve(expected: readonly number[], overdispersion: Overdispersion, d: Dispersion): AdjustedComparison['funnel']['curve'] {
  const positive = expected.filter((e) => e > 0);
  if (positive.length === 0) return [];
  const lo = Math.min(1, ...positive);
  const hi = Math.max(...positive) * 1.1;
  return Array.from({ length: 50 }, (_, i) => {
    const e = lo * (hi / lo) ** (i / 49);
    return { expected: e, ...funnelLimits(e, overdispersion, d) };
  });
}

export interface AdjustedParts {
  model: CompareModel;
  funnel: AdjustedComparison['funnel'];
  units: ComparisonUnit[];
  notes: AdjustedComparison['notes'];
}

export function adjustedParts(
  rows: readonly CompareEpisodeRow[], adjustFor: readonly Adjuster[], overdispersion: Overdispersion, minCell: number,
): AdjustedParts {
  const modelled = completeCases(rows, adjustFor);
  const p = patterns(modelled.rows, adjustFor);
  const fit = fitLogistic(p.y, p.covariates, p.weights);
  const totals = unitTotals(modelled.rows, p.of, fit.ok ? fit : null);
  const d: Dispersion = fit.ok ? sqrtDispersion([...totals.values()]) : { n: 0, phi: 0, tau2: 0 };
  // Every unit with an eligible episode is listed, even when none of its episodes could be modelled.
  const keys = [...new Set(rows.map((r) => r.unit))].sort(byCodePoint);
  const totalOf = (key: string): UnitTotals => totals.get(key) ?? { n: 0, observed: 0, expected: 0 };
  const hidden = hiddenUnits(new Map(keys.map((k) => [k, { n: totalOf(k).n, events: totalOf(k).observed }])), minCell);
  const units = keys.map((key) => unitRow(key, totalOf(key), fit.ok, { whole: hidden.whole.has(key), observed: hidden.events.has(key) }, overdispersion, d));
  return {
    model: modelTable(fit, modelled.rows, minCell),
    funnel: {
      phi: fit.ok ? d.phi : null,
      tau2: fit.ok ? d.tau2 : null,
      adjusted: fit.ok && overdispersion !== 'none' && d.phi > 1,
      curve: fit.ok ? funnelCurve([...totals.values()].map((t) => t.expected), overdispersion, d) : [],
    },
    units,
    notes: { episodes: rows.length, without_baseline: modelled.withoutBaseline, without_age: modelled.withoutAge, modelled: modelled.rows.length },
  };
}
