import { isSmall } from '../stats/suppression';
import { fitLogistic, type Covariate, type LogisticFit, type LogisticProblem, type LogisticResult } from '../stats/logistic';
import {
  funnelLimits, funnelPosition, ratioInterval, sqrtDispersion, type Dispersion, type Overdispersion,
} from '../stats/funnel';
import { hiddenUnits } from './complementary';
import type { ComparePattern, CompareEpisodeRow } from './episodes';
import type { Adjuster } from './request';
import type { AdjustedComparison, CompareModel, ComparisonUnit } from './schema';

/**
 * The case-mix adjusted comparison of units (docs/comparisons.md): one logistic model
 * over every unit's episodes, E per unit from its fitted probabilities, O/E against
 * funnel limits, and small-cell suppression of the units and of the model table.
 */

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A map of maps down the four covariates: no key string per row. */
type PatternIndex<T> = Map<number | null, Map<number | null, Map<string, Map<string, T>>>>;

function indexed<T>(index: PatternIndex<T>, baseline: number | null, age: number | null, sex: string, substance: string, make: () => T): T {
  let byAge = index.get(baseline);
  if (byAge === undefined) index.set(baseline, byAge = new Map());
  let bySex = byAge.get(age);
  if (bySex === undefined) byAge.set(age, bySex = new Map());
  let bySubstance = bySex.get(sex);
  if (bySubstance === undefined) bySex.set(sex, bySubstance = new Map());
  let found = bySubstance.get(substance);
  if (found === undefined) bySubstance.set(substance, found = make());
  return found;
}

/**
 * The patterns of episode rows, as `comparePatterns` groups them in the query (the
 * standard measures and the tests hand rows in).
 */
export function patternsOf(rows: readonly CompareEpisodeRow[], adjustFor: readonly Adjuster[]): ComparePattern[] {
  const uses = new Set(adjustFor);
  const index: PatternIndex<{ pattern: ComparePattern; unitAt: Map<string, number> }> = new Map();
  const out: ComparePattern[] = [];
  for (const r of rows) {
    const baseline = uses.has('baseline') ? r.baseline : null;
    const age = uses.has('age') ? r.age : null;
    const sex = uses.has('sex') ? r.sex : '';
    const substance = uses.has('substance') ? r.substance : '';
    const entry = indexed(index, baseline, age, sex, substance, () => {
      const pattern: ComparePattern = { baseline, age, sex, substance, units: [], n: [], events: [] };
      out.push(pattern);
      return { pattern, unitAt: new Map<string, number>() };
    });
    const { pattern, unitAt } = entry;
    let j = unitAt.get(r.unit);
    if (j === undefined) {
      j = pattern.units.length;
      unitAt.set(r.unit, j);
      pattern.units.push(r.unit);
      pattern.n.push(0);
      pattern.events.push(0);
    }
    pattern.n[j] = (pattern.n[j] ?? 0) + 1;
    if (r.y) pattern.events[j] = (pattern.events[j] ?? 0) + 1;
  }
  return out;
}

/** A pattern with its totals over every unit. */
interface Pattern {
  rep: ComparePattern;
  n: number;
  events: number;
}

interface Modelled {
  patterns: Pattern[];
  episodes: number;
  withoutBaseline: number;
  withoutAge: number;
  modelled: number;
}

const sum = (values: readonly number[]): number => {
  let s = 0;
  for (const v of values) s += v;
  return s;
};

/** Complete cases: an episode without a baseline (or a birth year) cannot be adjusted for it. */
function completeCases(patterns: readonly ComparePattern[], adjustFor: readonly Adjuster[]): Modelled {
  const needBaseline = adjustFor.includes('baseline');
  const needAge = adjustFor.includes('age');
  const out: Modelled = { patterns: [], episodes: 0, withoutBaseline: 0, withoutAge: 0, modelled: 0 };
  for (const rep of patterns) {
    const n = sum(rep.n);
    out.episodes += n;
    if (needBaseline && rep.baseline === null) out.withoutBaseline += n;
    else if (needAge && rep.age === null) out.withoutAge += n;
    else {
      out.patterns.push({ rep, n, events: sum(rep.events) });
      out.modelled += n;
    }
  }
  return out;
}

/**
 * The fit reads one row per covariate pattern and outcome, weighted by its count: the
 * estimates, SEs, deviance, AIC and c-statistic are those of the episode-level fit
 * (metrics/stats/logistic.ts), and an episode's fitted probability is its pattern's.
 * Patterns are taken in one fixed order (the covariates' values ascending, text in
 * code-point order), so the sums never depend on the order the query returns them in.
 */
interface Fitted {
  list: Pattern[];
  y: number[];
  weights: number[];
  covariates: Covariate[];
  /** The fit row of each pattern, whose fitted probability is the pattern's. */
  row: number[];
}

function comparePatterns(adjustFor: readonly Adjuster[]): (a: Pattern, b: Pattern) => number {
  return (a, b) => {
    for (const k of adjustFor) {
      const x = a.rep[k];
      const y = b.rep[k];
      if (x === y) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      return x < y ? -1 : 1;
    }
    return 0;
  };
}

function fitRows(patterns: Pattern[], adjustFor: readonly Adjuster[]): Fitted {
  const list = patterns.sort(comparePatterns(adjustFor));
  const y: number[] = [];
  const weights: number[] = [];
  const reps: ComparePattern[] = [];
  const row = list.map((p) => {
    const at = y.length;
    if (p.events > 0) {
      y.push(1);
      weights.push(p.events);
      reps.push(p.rep);
    }
    if (p.n - p.events > 0) {
      y.push(0);
      weights.push(p.n - p.events);
      reps.push(p.rep);
    }
    return at;
  });
  const covariates = adjustFor.map((a): Covariate => {
    switch (a) {
      case 'baseline': return { name: 'baseline', kind: 'numeric', values: reps.map((r) => r.baseline ?? 0) };
      case 'age': return { name: 'age', kind: 'numeric', values: reps.map((r) => r.age ?? 0) };
      case 'sex': return { name: 'sex', kind: 'categorical', values: reps.map((r) => r.sex) };
      case 'substance': return { name: 'substance', kind: 'categorical', values: reps.map((r) => r.substance) };
    }
  });
  return { list, y, weights, covariates, row };
}

/** Per categorical level: its episodes and events among the modelled episodes. */
function levelCounts(patterns: readonly Pattern[], covariate: 'sex' | 'substance'): Map<string, { n: number; events: number }> {
  const out = new Map<string, { n: number; events: number }>();
  for (const p of patterns) {
    const level = p.rep[covariate];
    const c = out.get(level) ?? { n: 0, events: 0 };
    c.n += p.n;
    c.events += p.events;
    out.set(level, c);
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
function modelTable(fit: LogisticResult, patterns: readonly Pattern[], minCell: number): CompareModel {
  if (!fit.ok) {
    return {
      status: fit.problem, message: problemMessage(fit, patterns, minCell), n: fit.n, coefficients: [], reference_levels: {},
      deviance: null, null_deviance: null, df_residual: null, df_null: null, aic: null, c_statistic: null, iterations: null,
    };
  }
  const counts = { sex: levelCounts(patterns, 'sex'), substance: levelCounts(patterns, 'substance') };
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
function problemMessage(fit: LogisticProblem, patterns: readonly Pattern[], minCell: number): string {
  const cov = fit.covariate;
  if (fit.problem !== 'separation' || (cov !== 'sex' && cov !== 'substance') || !isSmallCell(levelCounts(patterns, cov).get(fit.level ?? ''), minCell)) return fit.message;
  return `Quasi-complete separation: the episodes of one ${cov} level with fewer than ${minCell} episodes (not named, to protect them) all share one outcome, so its coefficient runs off to infinity and no finite estimate exists. Combine sparse ${cov} levels or leave ${cov} out.`;
}

interface UnitTotals {
  n: number;
  observed: number;
  expected: number;
}

/**
 * n, O and E of every unit (`keys`, in their order), E = Σ n · p over the unit's cells,
 * taken pattern by pattern in the patterns' order (a unit has at most one cell per pattern).
 */
function unitTotals(keys: readonly string[], f: Fitted, fit: LogisticFit | null): Map<string, UnitTotals> {
  const out = new Map<string, UnitTotals>(keys.map((k) => [k, { n: 0, observed: 0, expected: 0 }]));
  f.list.forEach((pattern, k) => {
    const fitted = fit?.fitted[f.row[k] ?? -1] ?? 0;
    const { units, n, events } = pattern.rep;
    for (let j = 0; j < units.length; j++) {
      const t = out.get(units[j] as string) as UnitTotals;
      const cell = n[j] as number;
      t.n += cell;
      t.observed += events[j] as number;
      t.expected += cell * fitted;
    }
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
  return adjustedPatterns(patternsOf(rows, adjustFor), adjustFor, overdispersion, minCell);
}

/** The adjusted comparison of the patterns (metrics/compare/episodes.ts `comparePatterns`, or `patternsOf`). */
export function adjustedPatterns(
  patterns: readonly ComparePattern[], adjustFor: readonly Adjuster[], overdispersion: Overdispersion, minCell: number,
): AdjustedParts {
  const modelled = completeCases(patterns, adjustFor);
  const p = fitRows(modelled.patterns, adjustFor);
  const fit = fitLogistic(p.y, p.covariates, p.weights);
  // Every unit with an eligible episode is listed, even when none of its episodes could be modelled.
  const unitSet = new Set<string>();
  for (const pattern of patterns) for (const u of pattern.units) unitSet.add(u);
  const keys = [...unitSet].sort(byCodePoint);
  const totals = unitTotals(keys, p, fit.ok ? fit : null);
  const modelledTotals = [...totals.values()].filter((t) => t.n > 0);
  const d: Dispersion = fit.ok ? sqrtDispersion(modelledTotals) : { n: 0, phi: 0, tau2: 0 };
  const totalOf = (key: string): UnitTotals => totals.get(key) ?? { n: 0, observed: 0, expected: 0 };
  const hidden = hiddenUnits(new Map(keys.map((k) => [k, { n: totalOf(k).n, events: totalOf(k).observed }])), minCell);
  const units = keys.map((key) => unitRow(key, totalOf(key), fit.ok, { whole: hidden.whole.has(key), observed: hidden.events.has(key) }, overdispersion, d));
  return {
    model: modelTable(fit, p.list, minCell),
    funnel: {
      phi: fit.ok ? d.phi : null,
      tau2: fit.ok ? d.tau2 : null,
      adjusted: fit.ok && overdispersion !== 'none' && d.phi > 1,
      curve: fit.ok ? funnelCurve(modelledTotals.map((t) => t.expected), overdispersion, d) : [],
    },
    units,
    notes: { episodes: modelled.episodes, without_baseline: modelled.withoutBaseline, without_age: modelled.withoutAge, modelled: modelled.modelled },
  };
}
