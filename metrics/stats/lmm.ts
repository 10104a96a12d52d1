import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import numeric from 'numeric';
import type { LmmStats } from './lmm-stats';

/**
 * A linear mixed model with one grouping factor and a random intercept and slope per
 * group (unstructured 2×2 covariance), fitted by REML the way lme4 fits
 * `y ~ X + (t | group)`:
 *
 *   y_i = X_i β + Z_i b_i + ε_i,   Z_i = [1, t],   b_i ~ N(0, σ² Λ Λ'),   ε_i ~ N(0, σ² I)
 *
 * Λ = [[θ1, 0], [θ2, θ3]] is the relative covariance factor (lme4's parameterisation,
 * Bates, Mächler, Bolker & Walker 2015, "Fitting Linear Mixed-Effects Models Using
 * lme4", J. Stat. Softw. 67(1), section 3). β and σ are profiled out and the REML criterion
 *
 *   d_R(θ) = log|L_θ|² + log|R_X|² + (n − p)·(1 + log(2π r²_θ / (n − p)))
 *
 * (ibid., "The REML criterion": `eq:REMLprofiled` in lme4's vignettes/lmer.Rnw, with unit
 * prior weights) is minimised over θ. Any real θ gives a valid covariance ΛΛ', so the
 * search is unconstrained (BFGS, `numeric.uncmin`).
 *
 * The sparse Cholesky factor L_θ of Λ'Z'ZΛ + I is block diagonal with one 2×2 block per
 * group, so the whole criterion needs only per-group sufficient statistics (Z_i'Z_i,
 * Z_i'X_i, Z_i'y_i) and the totals X'X, X'y, y'y: one pass over the groups per
 * evaluation, never over the rows. The 2×2 blocks use the closed-form Cholesky
 * (l00 = √m00, l10 = m01/l00, l11 = √(m11 − l10²)) and forward substitution; the
 * p×p factor R_X and the fixed-effect covariance σ²(R_X'R_X)⁻¹ use ml-matrix's Cholesky.
 * The statistics themselves are built in metrics/stats/lmm-stats.ts.
 */

export interface LmmFit {
  readonly method: 'REML';
  readonly n_obs: number;
  readonly n_groups: number;
  readonly fixed: { name: string; estimate: number; se: number; t: number }[];
  readonly random: { sd_intercept: number; sd_slope: number; correlation: number | null; covariance: [[number, number], [number, number]] };
  readonly residual_sd: number;
  readonly reml_criterion: number;
  readonly theta: [number, number, number];
  readonly convergence: { converged: boolean; message: string; iterations: number; max_abs_gradient: number; scaled_gradient: number; evaluations: number };
  /** Covariance of the fixed effects, σ²(R_X'R_X)⁻¹, row-major p×p. */
  readonly vcov: number[][];
}

/** What one evaluation of the profiled criterion yields (β, σ² and R_X at θ). */
interface Profile {
  criterion: number;
  beta: number[];
  sigma2: number;
  chol: CholeskyDecomposition;
}

/** The profiled REML criterion at θ, exploiting the per-group 2×2 blocks of L_θ. */
function profile(st: LmmStats, theta: readonly number[]): Profile | null {
  const [a = 0, b = 0, c = 0] = theta;
  const p = st.names.length;
  const m = st.s0.length;
  const cross = Float64Array.from(st.xx); // X'X − R_ZX'R_ZX
  const rhs = Float64Array.from(st.xy); // X'y − R_ZX'c_u
  const r0 = new Float64Array(p);
  const r1 = new Float64Array(p);
  let logDetL = 0;
  let cuSq = 0;
  for (let g = 0; g < m; g++) {
    const s0 = st.s0[g] ?? 0, s1 = st.s1[g] ?? 0, s2 = st.s2[g] ?? 0;
    // M = Λ'Z'ZΛ + I, written out for Λ = [[a, 0], [b, c]].
    const m00 = a * a * s0 + 2 * a * b * s1 + b * b * s2 + 1;
    const m01 = c * (a * s1 + b * s2);
    const m11 = c * c * s2 + 1;
    const l00 = Math.sqrt(m00);
    const l10 = m01 / l00;
    const l11 = Math.sqrt(m11 - l10 * l10);
    logDetL += 2 * (Math.log(l00) + Math.log(l11));
    // c_u = L⁻¹Λ'Z'y and R_ZX = L⁻¹Λ'Z'X by forward substitution on the 2×2 block.
    const zy0 = st.zy0[g] ?? 0, zy1 = st.zy1[g] ?? 0;
    const cu0 = (a * zy0 + b * zy1) / l00;
    const cu1 = (c * zy1 - l10 * cu0) / l11;
    cuSq += cu0 * cu0 + cu1 * cu1;
    const base = g * 2 * p;
    for (let j = 0; j < p; j++) {
      const zx0 = st.zx[base + j] ?? 0, zx1 = st.zx[base + p + j] ?? 0;
      r0[j] = (a * zx0 + b * zx1) / l00;
      r1[j] = (c * zx1 - l10 * (r0[j] ?? 0)) / l11;
    }
    for (let j = 0; j < p; j++) {
      const r0j = r0[j] ?? 0, r1j = r1[j] ?? 0;
      rhs[j] = (rhs[j] ?? 0) - r0j * cu0 - r1j * cu1;
      // Upper triangle only: the update is symmetric, mirrored once after the loop.
      for (let k = j; k < p; k++) cross[j * p + k] = (cross[j * p + k] ?? 0) - r0j * (r0[k] ?? 0) - r1j * (r1[k] ?? 0);
    }
  }
  const a2 = new Matrix(p, p);
  for (let j = 0; j < p; j++) for (let k = j; k < p; k++) { a2.set(j, k, cross[j * p + k] ?? 0); a2.set(k, j, cross[j * p + k] ?? 0); }
  const chol = new CholeskyDecomposition(a2);
  if (!chol.isPositiveDefinite()) return null;
  const lower = chol.lowerTriangularMatrix;
  // A pivot that is rounding noise relative to its column means a dependent column.
  for (let j = 0; j < p; j++) if (lower.get(j, j) ** 2 <= RANK_TOLERANCE * Math.abs(st.xx[j * p + j] ?? 0)) return null;
  // c_β = R_X'⁻¹ rhs (forward substitution with R_X' = lower), β = R_X⁻¹ c_β.
  const cBeta = forward(lower, [...rhs]);
  const beta = backward(lower, cBeta);
  const df = st.n - p;
  const r2 = st.yy - cuSq - cBeta.reduce((sum, v) => sum + v * v, 0);
  let logDetRX = 0;
  for (let j = 0; j < p; j++) logDetRX += 2 * Math.log(lower.get(j, j));
  const criterion = logDetL + logDetRX + df * (1 + Math.log((2 * Math.PI * r2) / df));
  return { criterion, beta, sigma2: r2 / df, chol };
}

function forward(l: Matrix, b: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) {
    let v = b[i] ?? 0;
    for (let k = 0; k < i; k++) v -= l.get(i, k) * (out[k] ?? 0);
    out.push(v / l.get(i, i));
  }
  return out;
}

function backward(l: Matrix, b: number[]): number[] {
  const out = new Array<number>(b.length).fill(0);
  for (let i = b.length - 1; i >= 0; i--) {
    let v = b[i] ?? 0;
    for (let k = i + 1; k < b.length; k++) v -= l.get(k, i) * (out[k] ?? 0);
    out[i] = v / l.get(i, i);
  }
  return out;
}

/**
 * lme4's finite-difference step (`deriv12(fun, x, delta = 1e-4)` in R/deriv.R). The
 * criterion carries rounding noise of order 1e-7 at tens of thousands of episodes, so a
 * much smaller step would measure the noise rather than the slope.
 */
const DELTA = 1e-4;

/** Central-difference gradient. */
function gradient(f: (x: number[]) => number, x: number[]): number[] {
  return x.map((xi, i) => (f(shift(x, [[i, DELTA]])) - f(shift(x, [[i, -DELTA]]))) / (2 * DELTA));
}

/** Central-difference Hessian (second differences), as lme4's deriv12. */
function hessian(f: (x: number[]) => number, x: number[]): Matrix {
  const p = x.length;
  const h = new Matrix(p, p);
  const fx = f(x);
  for (let i = 0; i < p; i++) {
    h.set(i, i, (f(shift(x, [[i, DELTA]])) - 2 * fx + f(shift(x, [[i, -DELTA]]))) / DELTA ** 2);
    for (let j = 0; j < i; j++) {
      const v = (f(shift(x, [[i, DELTA], [j, DELTA]])) - f(shift(x, [[i, DELTA], [j, -DELTA]]))
        - f(shift(x, [[i, -DELTA], [j, DELTA]])) + f(shift(x, [[i, -DELTA], [j, -DELTA]]))) / (4 * DELTA ** 2);
      h.set(i, j, v);
      h.set(j, i, v);
    }
  }
  return h;
}

function shift(x: readonly number[], by: [number, number][]): number[] {
  const out = [...x];
  for (const [i, d] of by) out[i] = (out[i] ?? 0) + d;
  return out;
}

/**
 * lme4's convergence measure (R/checkConv.R): with H = R'R, the larger over θ of
 * min(|R⁻¹g|, |g|), the gradient scaled by the curvature unless the raw one is smaller.
 * Infinity when the Hessian is not positive definite (lme4 then warns as well).
 */
function scaledGradient(f: (x: number[]) => number, x: number[], g: readonly number[]): number {
  const chol = new CholeskyDecomposition(hessian(f, x));
  if (!chol.isPositiveDefinite()) return Infinity;
  const scaled = backward(chol.lowerTriangularMatrix, [...g]);
  return Math.max(...g.map((gi, i) => Math.min(Math.abs(scaled[i] ?? Infinity), Math.abs(gi))));
}

/**
 * lme4's default convergence check (`lmerControl(check.conv.grad = .makeCC("warning",
 * tol = 2e-3))`), applied to `scaledGradient`.
 */
export const GRADIENT_TOLERANCE = 2e-3;
/** The optimiser restarts until the gradient is this small (well inside lme4's check). */
/** A Cholesky pivot² below this share of its X'X diagonal marks a rank-deficient design. */
const RANK_TOLERANCE = 1e-10;
const STOP_GRADIENT = 1e-5;
const MAX_RESTARTS = 20;
const MAX_ITERATIONS = 2000;

/** Fits the model by minimising the profiled REML criterion from lme4's start θ = (1, 0, 1). */
export function fitLmm(st: LmmStats): LmmFit {
  const p = st.names.length;
  const m = st.s0.length;
  if (st.n <= p) throw new RangeError(`too few observations (${st.n}) for ${p} fixed effects`);
  if (m < 2) throw new RangeError('at least 2 groups are needed to estimate a random-effect covariance');
  let evaluations = 0;
  const f = (theta: number[]): number => {
    evaluations += 1;
    const pr = profile(st, theta);
    return pr ? pr.criterion : Number.NaN;
  };
  if (Number.isNaN(f([1, 0, 1]))) throw new RangeError('the fixed-effect design is rank deficient (a column is constant or a combination of others)');
  const grad = (x: number[]) => gradient(f, x);
  // numeric.uncmin's BFGS keeps every update, so a step with y's ≤ 0 can leave an
  // inverse Hessian that no longer points downhill and the line search stops early.
  // Restarting from the point reached (with the identity again) is the usual remedy.
  let theta: number[] = [1, 0, 1];
  let value = f(theta);
  let message = '';
  let iterations = 0;
  let maxAbsGradient = Infinity;
  for (let restart = 0; restart < MAX_RESTARTS; restart++) {
    const opt = numeric.uncmin(f, theta, 1e-10, grad, MAX_ITERATIONS - iterations);
    iterations += opt.iterations;
    message = opt.message;
    const improved = opt.f < value;
    if (improved) { theta = opt.solution; value = opt.f; }
    maxAbsGradient = Math.max(...grad(theta).map(Math.abs));
    if (maxAbsGradient < STOP_GRADIENT || !improved || iterations >= MAX_ITERATIONS) break;
  }
  const best = profile(st, theta);
  if (!best) throw new RangeError('the REML optimum has a singular fixed-effect cross-product');
  const scaled = scaledGradient(f, theta, grad(theta));
  const converged = iterations < MAX_ITERATIONS && scaled < GRADIENT_TOLERANCE;
  const th: [number, number, number] = [theta[0] ?? 0, theta[1] ?? 0, theta[2] ?? 0];
  return summarise(st, th, best, { converged, message, iterations, max_abs_gradient: maxAbsGradient, scaled_gradient: scaled, evaluations });
}

function summarise(st: LmmStats, theta: [number, number, number], best: Profile, convergence: LmmFit['convergence']): LmmFit {
  const p = st.names.length;
  const [a, b, c] = theta;
  const sigma2 = best.sigma2;
  // (R_X'R_X)⁻¹ by the Cholesky solve against the identity, scaled by σ².
  const inv = best.chol.solve(Matrix.eye(p, p));
  const vcov = inv.mul(sigma2).to2DArray();
  const fixed = st.names.map((name, j) => {
    const estimate = best.beta[j] ?? NaN;
    const se = Math.sqrt(vcov[j]?.[j] ?? NaN);
    return { name, estimate, se, t: estimate / se };
  });
  // Random-effect covariance σ²ΛΛ' = σ²[[a², ab], [ab, b² + c²]].
  const v00 = sigma2 * a * a, v01 = sigma2 * a * b, v11 = sigma2 * (b * b + c * c);
  const sdI = Math.sqrt(v00), sdS = Math.sqrt(v11);
  return {
    method: 'REML',
    n_obs: st.n,
    n_groups: st.s0.length,
    fixed,
    random: { sd_intercept: sdI, sd_slope: sdS, correlation: sdI > 0 && sdS > 0 ? v01 / (sdI * sdS) : null, covariance: [[v00, v01], [v01, v11]] },
    residual_sd: Math.sqrt(sigma2),
    reml_criterion: best.criterion,
    theta,
    convergence,
    vcov,
  };
}
