import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { cStatistic } from './c-statistic';
import { aliasedColumns, byCodePoint, designMatrix, weightedNormalEquations, type Covariate, type Design } from './design-matrix';

export { cStatistic } from './c-statistic';
export { aliasedColumns, designMatrix, type Covariate } from './design-matrix';

/**
 * Logistic regression by maximum likelihood, fitted by iteratively reweighted least
 * squares (Fisher scoring) as R's `glm.fit` does it (docs/comparisons.md "The model"):
 * start at μ = (y + ½)/2, solve the weighted normal equations with a Cholesky factor
 * (ml-matrix), stop when |dev − dev_old| / (|dev| + 0.1) < 1e-8, at most 25 iterations
 * (`glm.control()` defaults). Standard errors are the square roots of the diagonal of the
 * inverse Fisher information (XᵀWX)⁻¹ of the last iteration, as `summary.glm` reads them
 * from the last weighted QR. Categorical covariates are treatment-coded with the first
 * level in code-point order as the reference (R's `contr.treatment` over `factor()`'s
 * sorted levels in the C locale).
 *
 * A fit that cannot give trustworthy numbers returns a `problem` in plain words instead:
 * a constant outcome, a singular (rank-deficient) design, perfect or quasi-complete
 * separation, or no convergence. No coefficient is returned then.
 */

export interface Coefficient {
  term: string;
  /** The covariate the term comes from (null for the intercept). */
  covariate: string | null;
  /** For a categorical covariate's dummy: its level; null otherwise. */
  level: string | null;
  estimate: number;
  std_error: number;
  z: number;
  p: number;
}

export interface LogisticFit {
  ok: true;
  coefficients: Coefficient[];
  /** The reference level of each categorical covariate. */
  reference_levels: Record<string, string>;
  n: number;
  deviance: number;
  null_deviance: number;
  df_residual: number;
  df_null: number;
  aic: number;
  c_statistic: number;
  iterations: number;
  /** Fitted probabilities, in the input row order. */
  fitted: Float64Array;
}

export type LogisticProblemKind = 'no_data' | 'constant_outcome' | 'singular' | 'separation' | 'not_converged';

export interface LogisticProblem {
  ok: false;
  problem: LogisticProblemKind;
  message: string;
  n: number;
  /** For separation on a categorical level: the covariate and level, so a caller can word it without naming a small cell. */
  covariate?: string;
  level?: string;
}

export type LogisticResult = LogisticFit | LogisticProblem;

/** `glm.control()`: epsilon and maxit. */
export const IRLS_EPSILON = 1e-8;
export const IRLS_MAX_ITERATIONS = 25;
/** The extra Newton steps run after convergence to see whether the fit keeps sliding. */
const SEPARATION_STEPS = 5;
/** A linear predictor that moves by more than this over those steps is escaping to ±∞. */
const SEPARATION_ETA_DRIFT = 1;

/** R's `binomial()$linkinv`, which keeps μ inside [ε, 1 − ε] (family.c, THRESH = 30). */
function inverseLogit(eta: number): number {
  if (eta < -30) return Number.EPSILON;
  if (eta > 30) return 1 - Number.EPSILON;
  return 1 / (1 + Math.exp(-eta));
}

function binomialDeviance(y: ArrayLike<number>, mu: Float64Array, weights: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < mu.length; i++) {
    const m = mu[i] as number;
    d += (weights[i] as number) * ((y[i] as number) === 1 ? -2 * Math.log(m) : -2 * Math.log(1 - m));
  }
  return d;
}

interface IrlsState {
  beta: number[];
  eta: Float64Array;
  mu: Float64Array;
  deviance: number;
  /** The Cholesky factor of the last XᵀWX, for the covariance. */
  chol: CholeskyDecomposition;
}

function irlsStep(x: Float64Array[], y: ArrayLike<number>, weights: ArrayLike<number>, mu: Float64Array, eta: Float64Array): IrlsState | null {
  const n = mu.length;
  const w = new Float64Array(n);
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const m = mu[i] as number;
    const v = m * (1 - m);
    w[i] = (weights[i] as number) * v;
    z[i] = (eta[i] as number) + ((y[i] as number) - m) / v;
  }
  const { xtwx, xtwz } = weightedNormalEquations(x, w, z);
  const chol = new CholeskyDecomposition(new Matrix(xtwx));
  if (!chol.isPositiveDefinite()) return null;
  const beta = chol.solve(Matrix.columnVector(xtwz)).getColumn(0);
  const nextEta = new Float64Array(n);
  for (let j = 0; j < x.length; j++) {
    const xj = x[j] as Float64Array;
    const b = beta[j] as number;
    for (let i = 0; i < n; i++) nextEta[i] = (nextEta[i] as number) + b * (xj[i] as number);
  }
  const nextMu = nextEta.map(inverseLogit);
  return { beta, eta: nextEta, mu: nextMu, deviance: binomialDeviance(y, nextMu, weights), chol };
}

function problem(kind: LogisticProblemKind, message: string, n: number): LogisticProblem {
  return { ok: false, problem: kind, message, n };
}

/**
 * Fits `y ~ covariates` (with an intercept). `y` holds 0 and 1. `weights`, when given, are
 * frequencies (a row stands for that many identical episodes, R `glm(weights = )`), which
 * lets a caller fit one row per covariate pattern: the estimates, SEs, deviance, AIC and
 * c-statistic are those of the episode-level fit. Row order never changes the fit beyond
 * rounding (the sums run in row order).
 */
export function fitLogistic(y: readonly number[], covariates: readonly Covariate[], weights?: readonly number[]): LogisticResult {
  const rows = y.length;
  const w = weights ?? new Array<number>(rows).fill(1);
  if (w.length !== rows || w.some((v) => !(v > 0))) throw new RangeError('weights must be one positive number per row');
  const n = w.reduce((a, b) => a + b, 0);
  if (rows === 0) return problem('no_data', 'No episodes to fit the model to.', 0);
  if (y.some((v) => v !== 0 && v !== 1)) throw new RangeError('the outcome must be 0 or 1');
  const events = y.reduce((acc, v, i) => acc + v * (w[i] as number), 0);
  if (events === 0 || events === n) {
    return problem('constant_outcome', `Every episode had the same outcome (${events === 0 ? 'none' : 'all'} had it), so there is nothing to adjust.`, n);
  }
  const design = designMatrix(rows, covariates);
  const x = design.columns;
  const aliased = aliasedColumns(x);
  if (aliased.length > 0) {
    const names = aliased.map((j) => design.terms[j]?.term ?? String(j)).join(', ');
    return problem('singular', `The case-mix design is singular: ${names} ${aliased.length === 1 ? 'is' : 'are'} fully determined by the other covariates, so the model cannot tell their effects apart. Drop one of the overlapping covariates.`, n);
  }
  const constant = constantLevels(y, w, covariates).next();
  if (!constant.done) {
    const [name, level, outcome] = constant.value;
    return {
      ...problem('separation', `Quasi-complete separation: every episode with ${name} = ${level} ${outcome ? 'had' : 'did not have'} the outcome, so its coefficient runs off to infinity and no finite estimate exists. Combine that level with another or leave ${name} out.`, n),
      covariate: name, level,
    };
  }

  // glm.fit's start for binomial weights: μ = (w·y + ½)/(w + 1).
  let mu: Float64Array = Float64Array.from(y, (v, i) => ((w[i] as number) * v + 0.5) / ((w[i] as number) + 1));
  let eta: Float64Array = mu.map((m) => Math.log(m / (1 - m)));
  let deviance = binomialDeviance(y, mu, w);
  let state: IrlsState | null = null;
  let converged = false;
  let iterations = 0;
  for (; iterations < IRLS_MAX_ITERATIONS && !converged;) {
    iterations++;
    const next = irlsStep(x, y, w, mu, eta);
    if (next === null) return problem('singular', 'The weighted design became singular during fitting, so no estimate exists.', n);
    converged = Math.abs(next.deviance - deviance) / (Math.abs(next.deviance) + 0.1) < IRLS_EPSILON;
    ({ mu, eta, deviance } = next);
    state = next;
  }
  if (state === null) return problem('not_converged', 'The model did not converge.', n);
  if (slides(x, y, w, state)) {
    return problem('separation', 'Separation: the covariates predict the outcome perfectly for some episodes, so the likelihood has no maximum and the estimates run off to infinity. Leave out the covariate that separates, or combine sparse levels.', n);
  }
  if (!converged) {
    return problem('not_converged', `The model did not converge in ${IRLS_MAX_ITERATIONS} iterations, so its estimates are not reported.`, n);
  }
  return summarise(design, y, w, state, iterations);
}

/** A level of a categorical covariate (the reference included) whose episodes all share one outcome. */
function* constantLevels(y: readonly number[], w: readonly number[], covariates: readonly Covariate[]): Generator<[string, string, boolean]> {
  for (const c of covariates) {
    if (c.kind !== 'categorical') continue;
    const byLevel = new Map<string, { n: number; events: number }>();
    c.values.forEach((level, i) => {
      const cell = byLevel.get(level) ?? { n: 0, events: 0 };
      cell.n += w[i] as number;
      cell.events += (y[i] as number) * (w[i] as number);
      byLevel.set(level, cell);
    });
    if (byLevel.size < 2) continue;
    for (const level of [...byLevel.keys()].sort(byCodePoint)) {
      const cell = byLevel.get(level) as { n: number; events: number };
      if (cell.events === 0 || cell.events === cell.n) yield [c.name, level, cell.events > 0];
    }
  }
}

/**
 * Separation shows as a likelihood with no maximum: after the deviance has settled, more
 * Newton steps keep pushing some linear predictors towards ±∞ (by about one unit each
 * step), where a regular fit stays put.
 */
function slides(x: Float64Array[], y: readonly number[], w: readonly number[], state: IrlsState): boolean {
  let current = state;
  for (let k = 0; k < SEPARATION_STEPS; k++) {
    const next = irlsStep(x, y, w, current.mu, current.eta);
    if (next === null) return true;
    current = next;
  }
  let drift = 0;
  for (let i = 0; i < current.eta.length; i++) drift = Math.max(drift, Math.abs((current.eta[i] as number) - (state.eta[i] as number)));
  return drift > SEPARATION_ETA_DRIFT;
}

function summarise(design: Design, y: readonly number[], w: readonly number[], state: IrlsState, iterations: number): LogisticFit {
  const n = w.reduce((a, b) => a + b, 0);
  const p = design.columns.length;
  const covariance = state.chol.solve(Matrix.eye(p));
  const coefficients = design.terms.map((t, j) => {
    const estimate = state.beta[j] as number;
    const se = Math.sqrt(covariance.get(j, j));
    const z = estimate / se;
    return { ...t, estimate, std_error: se, z, p: 2 * normalCdf(-Math.abs(z), 0, 1) };
  });
  const mean = y.reduce((acc, v, i) => acc + v * (w[i] as number), 0) / n;
  const nullDeviance = binomialDeviance(y, new Float64Array(y.length).fill(mean), w);
  return {
    ok: true,
    coefficients,
    reference_levels: design.references,
    n,
    deviance: state.deviance,
    null_deviance: nullDeviance,
    df_residual: n - p,
    df_null: n - 1,
    // AIC of a binary glm: deviance + 2·(parameters); the saturated log-likelihood is 0.
    aic: state.deviance + 2 * p,
    c_statistic: cStatistic(y, state.mu, w),
    iterations,
    fitted: state.mu,
  };
}
