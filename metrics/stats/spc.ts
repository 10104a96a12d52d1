import binomialQuantile from '@stdlib/stats-base-dists-binomial-quantile';

/**
 * The SPC engine (docs/metrics.md "SPC charts"): one entry, like qicharts2's `qic()`, that takes the chart
 * type, the points, the phases and the options, and returns the points with their centre
 * line, limits and signals together with the run statistics of each phase. Every SPC
 * series of the product goes through it; the formulas are qicharts2's (R/helper.functions.R:
 * `qic.p`, `qic.pp`, `qic.i`, `runs.analysis`), and tests/stats/spc.test.ts holds them to
 * qicharts2's published reference outputs.
 */

/** `p`: proportions num/den (optionally Laney p′); `i`: individuals, y = num/den (a mean when den counts the items). */
export type SpcChart = 'p' | 'i';

export interface SpcPointInput {
  /** The point's label (a period such as 2025-03). */
  x: string;
  num: number;
  /** 0 gives a missing point (no value, no limits, not in any statistic). */
  den: number;
}

export interface SpcOptions {
  chart: SpcChart;
  /** Laney p′ (p-charts only): sigma × the mean moving range of the z-scores / 1.128. */
  laney?: boolean;
  /** 0-based indexes where a new phase starts (qicharts2 `part`, which gives the last index of each part instead). */
  phaseStarts?: readonly number[];
  /** 0-based indexes of points left out of the centre line, the limits and the runs analysis (qicharts2 `exclude`); they keep their limits and sigma signal. */
  exclude?: readonly number[];
  /** Only the first `freeze` points (of the series, as qicharts2 counts) set the centre line and the limits. */
  freeze?: number;
}

export interface SpcPoint {
  x: string;
  num: number;
  den: number;
  y: number | null;
  phase: number;
  cl: number | null;
  ucl: number | null;
  lcl: number | null;
  include: boolean;
  baseline: boolean;
  /** Outside the 3-sigma limits (strictly). */
  sigma_signal: boolean;
}

/** The Anhøj run statistics of one phase, named as qicharts2's summary() names them. */
export interface SpcRuns {
  /** Included points with a value. */
  n_obs: number;
  /** Included points not on the centre line (the runs analysis counts these). */
  n_useful: number;
  longest_run: number | null;
  /** round(log2(n_useful)) + 3 (Schilling 2012). */
  longest_run_max: number | null;
  n_crossings: number | null;
  /** qbinom(0.05, n_useful − 1, 0.5) (Chen 2010). */
  n_crossings_min: number | null;
  /** longest_run > longest_run_max: a shift. */
  shift_signal: boolean;
  /** n_crossings < n_crossings_min: too few crossings. */
  crossings_signal: boolean;
  /** Either of the two: qicharts2's runs.signal. */
  runs_signal: boolean;
}

export interface SpcPhase extends SpcRuns {
  phase: number;
  first: string;
  last: string;
  cl: number | null;
  /** Points outside the limits: qicharts2's sigma.signal count. */
  sigma_signals: number;
}

export interface SpcResult {
  chart: SpcChart;
  laney: boolean;
  points: SpcPoint[];
  phases: SpcPhase[];
}

/** Montgomery's d2 for moving ranges of two: sigma = mean moving range / 1.128 (so 3 sigma = 2.66 mean MR). */
export const D2 = 1.128;

const mean = (xs: readonly number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;

/**
 * The mean absolute difference of consecutive values, as R's `mean(abs(diff(v)), na.rm = TRUE)`:
 * a missing value (NaN) removes both ranges it is part of, it does not join its neighbours.
 */
export function meanMovingRange(values: readonly number[]): number {
  const ranges: number[] = [];
  for (let i = 1; i < values.length; i++) {
    const r = Math.abs((values[i] ?? NaN) - (values[i - 1] ?? NaN));
    if (Number.isFinite(r)) ranges.push(r);
  }
  return ranges.length === 0 ? NaN : mean(ranges);
}

/**
 * Anhøj's run rules over the values in order (qicharts2 `runs.analysis`): points on the
 * centre line and missing values are skipped; a run is a sequence on one side.
 */
export function anhoej(values: readonly (number | null)[], cl: number | null): SpcRuns {
  const sides: number[] = [];
  if (cl !== null) {
    for (const y of values) {
      if (y === null || Number.isNaN(y)) continue;
      const side = Math.sign(y - cl);
      if (side !== 0) sides.push(side);
    }
  }
  const n_obs = values.filter((y) => y !== null && !Number.isNaN(y)).length;
  const n_useful = sides.length;
  if (n_useful === 0) {
    return { n_obs, n_useful, longest_run: null, longest_run_max: null, n_crossings: null, n_crossings_min: null, shift_signal: false, crossings_signal: false, runs_signal: false };
  }
  let runs = 1;
  let longest = 1;
  let current = 1;
  for (let i = 1; i < sides.length; i++) {
    if (sides[i] === sides[i - 1]) current += 1;
    else {
      runs += 1;
      current = 1;
    }
    longest = Math.max(longest, current);
  }
  const longest_run_max = Math.round(Math.log2(n_useful)) + 3;
  const n_crossings = runs - 1;
  const n_crossings_min = binomialQuantile(0.05, n_useful - 1, 0.5);
  const shift_signal = longest > longest_run_max;
  const crossings_signal = n_crossings < n_crossings_min;
  return { n_obs, n_useful, longest_run: longest, longest_run_max, n_crossings, n_crossings_min, shift_signal, crossings_signal, runs_signal: shift_signal || crossings_signal };
}

interface Limits {
  cl: number | null;
  sigma: (i: number) => number;
}

/** p̄ = Σnum/Σden over the base points; sigma_i = sqrt(p̄(1 − p̄)/n_i), times σ_z for Laney p′ (qicharts2 `qic.p`, `qic.pp`). */
function pLimits(points: readonly SpcPoint[], base: readonly number[], laney: boolean): Limits {
  const num = base.reduce((s, i) => s + (points[i]?.num ?? 0), 0);
  const den = base.reduce((s, i) => s + (points[i]?.den ?? 0), 0);
  if (den === 0) return { cl: null, sigma: () => NaN };
  const cl = num / den;
  const binomial = (i: number) => Math.sqrt(cl * (1 - cl) / (points[i]?.den ?? NaN));
  if (!laney) return { cl, sigma: binomial };
  const z = base.map((i) => ((points[i]?.y ?? NaN) - cl) / binomial(i));
  const sigmaZ = meanMovingRange(z) / D2;
  return { cl, sigma: (i) => binomial(i) * sigmaZ };
}

/** Centre = mean of the base values; sigma = mean moving range / 1.128 (qicharts2 `qic.i`). */
function iLimits(points: readonly SpcPoint[], base: readonly number[]): Limits {
  const ys = base.map((i) => points[i]?.y ?? NaN);
  const present = ys.filter((y) => !Number.isNaN(y));
  if (present.length === 0) return { cl: null, sigma: () => NaN };
  const cl = mean(present);
  const sigma = meanMovingRange(ys.map((y) => y - cl)) / D2;
  return { cl, sigma: () => sigma };
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** Runs one chart: centre line, limits, sigma signals and Anhøj runs per phase. */
export function spc(input: readonly SpcPointInput[], opts: SpcOptions): SpcResult {
  const laney = opts.chart === 'p' && opts.laney === true;
  const starts = new Set((opts.phaseStarts ?? []).filter((s) => s > 0 && s < input.length));
  const exclude = new Set(opts.exclude ?? []);
  const freeze = opts.freeze ?? Infinity;
  let phase = 1;
  const points: SpcPoint[] = input.map((p, i) => {
    if (starts.has(i)) phase += 1;
    return {
      x: p.x, num: p.num, den: p.den, y: p.den > 0 ? p.num / p.den : null, phase,
      cl: null, ucl: null, lcl: null, include: !exclude.has(i), baseline: i < freeze, sigma_signal: false,
    };
  });
  const phases: SpcPhase[] = [];
  for (let ph = 1; ph <= phase; ph++) {
    const idx = points.flatMap((p, i) => (p.phase === ph ? [i] : []));
    const base = idx.filter((i) => points[i]?.include && points[i]?.baseline);
    const limits = opts.chart === 'p' ? pLimits(points, base, laney) : iLimits(points, base);
    let sigmaSignals = 0;
    for (const i of idx) {
      const p = points[i];
      if (!p) continue;
      p.cl = limits.cl;
      if (limits.cl === null || p.y === null) continue;
      const s = limits.sigma(i);
      let ucl = limits.cl + 3 * s;
      let lcl = limits.cl - 3 * s;
      // proportions: limits clipped to [0, 1]
      if (opts.chart === 'p') {
        ucl = Math.min(ucl, 1);
        lcl = Math.max(lcl, 0);
      }
      p.ucl = finiteOrNull(ucl);
      p.lcl = finiteOrNull(lcl);
      p.sigma_signal = p.ucl !== null && p.lcl !== null && (p.y > p.ucl || p.y < p.lcl);
      if (p.sigma_signal) sigmaSignals += 1;
    }
    const runs = anhoej(idx.filter((i) => points[i]?.include).map((i) => points[i]?.y ?? null), limits.cl);
    phases.push({
      phase: ph, first: points[idx[0] ?? 0]?.x ?? '', last: points[idx[idx.length - 1] ?? 0]?.x ?? '',
      cl: limits.cl, ...runs, sigma_signals: sigmaSignals,
    });
  }
  return { chart: opts.chart, laney, points, phases };
}
