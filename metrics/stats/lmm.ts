import { CholeskyDecomposition, EigenvalueDecomposition, Matrix } from 'ml-matrix';
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
 * search is unconstrained (BFGS, `numeric.uncmin`, with the analytic gradient and a
 * Newton start: `fitLmm`).
 *
 * The sparse Cholesky factor L_θ of Λ'Z'ZΛ + I is block diagonal with one 2×2 block per
 * group, so the whole criterion needs only per-group sufficient statistics (Z_i'Z_i,
 * Z_i'X_i, Z_i'y_i) and the totals X'X, X'y, y'y: one pass over the groups per
 * evaluation, never over the rows. Each block is the closed-form 2×2 `groupBlock`
 * (log|M_i| and H_i = ΛM_i⁻¹Λ', so V_i⁻¹ = I − Z_iH_iZ_i' by Woodbury); the p×p
 * X'V⁻¹X, its factor R_X and the fixed-effect covariance σ²(R_X'R_X)⁻¹ use ml-matrix's
 * Cholesky. The statistics themselves are built in metrics/stats/lmm-stats.ts.
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
  /** r²_θ, the penalised residual sum of squares. */
  r2: number;
  chol: CholeskyDecomposition;
}

/**
 * One group's 2×2 closed forms at θ = (a, b, c), Λ = [[a, 0], [b, c]]:
 * M = Λ'SΛ + I for S = Z_i'Z_i = [[s0, s1], [s1, s2]], and H = ΛM⁻¹Λ' = G(I + SG)⁻¹ with
 * G = ΛΛ' (so that V_i⁻¹ = I − Z_i H Z_i' for V_i = I + Z_i G Z_i', the Woodbury identity).
 * Writes H's entries (h00, h01, h11) into `out` and returns log|M| = log|V_i|. M ⪰ I, so
 * |M| ≥ 1 and its adjugate inverse is well conditioned whatever θ.
 */
export function groupBlock(s0: number, s1: number, s2: number, a: number, b: number, c: number, out: Float64Array): number {
  const m00 = a * a * s0 + 2 * a * b * s1 + b * b * s2 + 1;
  const m01 = c * (a * s1 + b * s2);
  const m11 = c * c * s2 + 1;
  const det = m00 * m11 - m01 * m01;
  // P = M⁻¹ = [[m11, −m01], [−m01, m00]] / det; H = ΛPΛ'.
  const p00 = m11 / det, p01 = -m01 / det, p11 = m00 / det;
  out[0] = a * a * p00;
  out[1] = a * (b * p00 + c * p01);
  out[2] = b * b * p00 + 2 * b * c * p01 + c * c * p11;
  return Math.log(det);
}

const block = new Float64Array(3);

/**
 * The profiled REML criterion at θ: one pass over the groups. With H_i from `groupBlock`,
 * X'V⁻¹X = X'X − Σ X_i'Z_i H_i Z_i'X_i, X'V⁻¹y = X'y − Σ X_i'Z_i H_i Z_i'y_i and
 * y'V⁻¹y = y'y − Σ y_i'Z_i H_i Z_i'y_i; R_X is the library Cholesky factor of X'V⁻¹X,
 * log|L_θ|² = Σ log|V_i| and r²_θ = y'V⁻¹y − (X'V⁻¹y)'β̂.
 */
export function profile(st: LmmStats, theta: readonly number[]): Profile | null {
  const [a = 0, b = 0, c = 0] = theta;
  const p = st.names.length;
  const m = st.s0.length;
  const { k: count, s0, s1, s2, zy0, zy1, zyy, zx } = st;
  const cross = Float64Array.from(st.xx); // X'V⁻¹X, upper triangle
  const rhs = Float64Array.from(st.xy); // X'V⁻¹y
  const u0 = new Float64Array(p);
  const u1 = new Float64Array(p);
  let logDetL = 0;
  let yHy = 0;
  // One block stands for k groups of one design: k·(its design terms), and the
  // response terms from the block's Σ Z_i'y_i and Σ (Z_i'y_i)(Z_i'y_i)'.
  for (let g = 0; g < m; g++) {
    const k = count[g] as number;
    logDetL += k * groupBlock(s0[g] as number, s1[g] as number, s2[g] as number, a, b, c, block);
    const h00 = block[0] as number, h01 = block[1] as number, h11 = block[2] as number;
    const y0 = zy0[g] as number, y1 = zy1[g] as number;
    yHy += h00 * (zyy[3 * g] as number) + 2 * h01 * (zyy[3 * g + 1] as number) + h11 * (zyy[3 * g + 2] as number);
    const base = g * 2 * p;
    for (let j = 0; j < p; j++) {
      const x0 = zx[base + j] as number, x1 = zx[base + p + j] as number;
      u0[j] = h00 * x0 + h01 * x1;
      u1[j] = h01 * x0 + h11 * x1;
    }
    for (let j = 0; j < p; j++) {
      const x0 = k * (zx[base + j] as number), x1 = k * (zx[base + p + j] as number);
      rhs[j] = (rhs[j] as number) - (u0[j] as number) * y0 - (u1[j] as number) * y1;
      // Upper triangle only: the update is symmetric, mirrored once after the loop.
      for (let l = j; l < p; l++) cross[j * p + l] = (cross[j * p + l] as number) - x0 * (u0[l] as number) - x1 * (u1[l] as number);
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
  const r2 = st.yy - yHy - cBeta.reduce((sum, v) => sum + v * v, 0);
  let logDetRX = 0;
  for (let j = 0; j < p; j++) logDetRX += 2 * Math.log(lower.get(j, j));
  const criterion = logDetL + logDetRX + df * (1 + Math.log((2 * Math.PI * r2) / df));
  return { criterion, beta, sigma2: r2 / df, r2, chol };
}

/**
 * The analytic gradient of the profiled criterion at θ, given its profile there: a second
 * pass over the groups. For a change dG of G = ΛΛ',
 *
 *   d log|V| = Σ tr(W_i dG),  d log|X'V⁻¹X| = −Σ tr(Q_i A⁻¹Q_i' dG),  d r² = −Σ e_i'dG e_i,
 *
 * with W_i = Z_i'V_i⁻¹Z_i, Q_i = Z_i'V_i⁻¹X_i, A = X'V⁻¹X and e_i = Z_i'V_i⁻¹(y_i − X_iβ̂)
 * (β̂ and σ² are at their profiled optimum, so their own derivatives drop out). With
 * D = Σ (W_i − Q_iA⁻¹Q_i' − (n − p)/r² · e_i e_i') the criterion's gradient is
 * tr(D ∂G/∂θ_k), ∂G/∂a = [[2a, b], [b, 0]], ∂G/∂b = [[0, a], [a, 2b]], ∂G/∂c = [[0, 0], [0, 2c]].
 * Z_i'V_i⁻¹ = (I − S_iH_i)Z_i', so all of these come from the group's sums.
 */
export function profileGradient(st: LmmStats, theta: readonly number[], pr: Profile): [number, number, number] {
  const [a = 0, b = 0, c = 0] = theta;
  const p = st.names.length;
  const m = st.s0.length;
  const { k: count, s0, s1, s2, zy0, zy1, zyy, zx } = st;
  const ainv = pr.chol.solve(Matrix.eye(p, p));
  const ai = new Float64Array(p * p);
  for (let j = 0; j < p; j++) for (let l = 0; l < p; l++) ai[j * p + l] = ainv.get(j, l);
  const beta = Float64Array.from(pr.beta);
  const scale = (st.n - p) / pr.r2;
  const q0 = new Float64Array(p);
  const q1 = new Float64Array(p);
  let d00 = 0, d01 = 0, d11 = 0;
  for (let g = 0; g < m; g++) {
    const k = count[g] as number;
    groupBlock(s0[g] as number, s1[g] as number, s2[g] as number, a, b, c, block);
    const h00 = block[0] as number, h01 = block[1] as number, h11 = block[2] as number;
    const t0 = s0[g] as number, t1 = s1[g] as number, t2 = s2[g] as number;
    // S·H, then T = I − SH (Z_i'V_i⁻¹ = T·Z_i').
    const sh00 = t0 * h00 + t1 * h01, sh01 = t0 * h01 + t1 * h11;
    const sh10 = t1 * h00 + t2 * h01, sh11 = t1 * h01 + t2 * h11;
    // W = T·S (symmetric).
    const w00 = t0 - (sh00 * t0 + sh01 * t1);
    const w01 = t1 - (sh00 * t1 + sh01 * t2);
    const w11 = t2 - (sh10 * t1 + sh11 * t2);
    // Q = T·Z'X, and μ = Z'Xβ, the same for every group of the block.
    const base = g * 2 * p;
    let mu0 = 0, mu1 = 0;
    for (let j = 0; j < p; j++) {
      const x0 = zx[base + j] as number, x1 = zx[base + p + j] as number;
      const bj = beta[j] as number;
      mu0 += x0 * bj;
      mu1 += x1 * bj;
      q0[j] = x0 - (sh00 * x0 + sh01 * x1);
      q1[j] = x1 - (sh10 * x0 + sh11 * x1);
    }
    // R = Σ r_i r_i' over the block's groups, r_i = Z_i'y_i − μ; then Σ e_i e_i' = T R T'.
    const y0 = zy0[g] as number, y1 = zy1[g] as number;
    const r00 = (zyy[3 * g] as number) - 2 * y0 * mu0 + k * mu0 * mu0;
    const r01 = (zyy[3 * g + 1] as number) - y0 * mu1 - y1 * mu0 + k * mu0 * mu1;
    const r11 = (zyy[3 * g + 2] as number) - 2 * y1 * mu1 + k * mu1 * mu1;
    const tr00 = (1 - sh00) * r00 - sh01 * r01, tr01 = (1 - sh00) * r01 - sh01 * r11;
    const tr10 = -sh10 * r00 + (1 - sh11) * r01, tr11 = -sh10 * r01 + (1 - sh11) * r11;
    const e00 = tr00 * (1 - sh00) - tr01 * sh01;
    const e01 = -tr00 * sh10 + tr01 * (1 - sh11);
    const e11 = -tr10 * sh10 + tr11 * (1 - sh11);
    // Q A⁻¹ Q' (2×2 symmetric).
    let qa00 = 0, qa01 = 0, qa11 = 0;
    for (let j = 0; j < p; j++) {
      let v0 = 0, v1 = 0;
      const row = j * p;
      for (let l = 0; l < p; l++) {
        const ajl = ai[row + l] as number;
        v0 += ajl * (q0[l] as number);
        v1 += ajl * (q1[l] as number);
      }
      const qj0 = q0[j] as number, qj1 = q1[j] as number;
      qa00 += qj0 * v0;
      qa01 += qj0 * v1;
      qa11 += qj1 * v1;
    }
    d00 += k * (w00 - qa00) - scale * e00;
    d01 += k * (w01 - qa01) - scale * e01;
    d11 += k * (w11 - qa11) - scale * e11;
  }
  return [2 * a * d00 + 2 * b * d01, 2 * a * d01 + 2 * b * d11, 2 * c * d11];
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
 * lme4's finite-difference step (`deriv12(fun, x, delta = 1e-4)` in R/deriv.R), here
 * applied to the analytic gradient for the Hessian.
 */
const DELTA = 1e-4;

/** Central differences of the analytic gradient, symmetrised: the Hessian of the criterion. */
function hessian(grad: (x: number[]) => number[], x: readonly number[]): Matrix {
  const p = x.length;
  const h = new Matrix(p, p);
  for (let i = 0; i < p; i++) {
    const up = grad(shift(x, i, DELTA));
    const down = grad(shift(x, i, -DELTA));
    for (let j = 0; j < p; j++) h.set(j, i, ((up[j] ?? NaN) - (down[j] ?? NaN)) / (2 * DELTA));
  }
  return h.add(h.transpose()).mul(0.5);
}

function shift(x: readonly number[], i: number, d: number): number[] {
  const out = [...x];
  out[i] = (out[i] ?? 0) + d;
  return out;
}

/**
 * The starting inverse Hessian for BFGS: the inverse of the finite-difference Hessian
 * (a Newton first step, which is what makes a criterion of order 10⁶ at 200k episodes
 * converge in tens of iterations instead of halving an identity step from 10⁵ down).
 * Where the Hessian is indefinite (away from the optimum, e.g. near the ridge c = 0 where
 * the criterion is symmetric in the sign of c) its eigenvalues are replaced by their
 * absolute values, floored at a small share of the largest, so the step still points
 * downhill with a sensible length.
 */
function startingInverseHessian(h: Matrix): number[][] {
  const p = h.rows;
  if (!h.to1DArray().every(Number.isFinite)) return Matrix.eye(p, p).to2DArray();
  const evd = new EigenvalueDecomposition(h, { assumeSymmetric: true });
  const abs = evd.realEigenvalues.map(Math.abs);
  const floor = Math.max(...abs) * 1e-8;
  if (!(floor > 0)) return Matrix.eye(p, p).to2DArray();
  const v = evd.eigenvectorMatrix;
  return v.mmul(Matrix.diag(abs.map((l) => 1 / Math.max(l, floor)))).mmul(v.transpose()).to2DArray();
}

/**
 * lme4's convergence measure (R/checkConv.R): with H = R'R, the larger over θ of
 * min(|R⁻¹g|, |g|), the gradient scaled by the curvature unless the raw one is smaller.
 * Infinity when the Hessian is not positive definite (lme4 then warns as well).
 */
function scaledGradient(h: Matrix, g: readonly number[]): number {
  const chol = new CholeskyDecomposition(h);
  if (!chol.isPositiveDefinite()) return Infinity;
  const scaled = backward(chol.lowerTriangularMatrix, [...g]);
  return Math.max(...g.map((gi, i) => Math.min(Math.abs(scaled[i] ?? Infinity), Math.abs(gi))));
}

/**
 * lme4's default convergence check (`lmerControl(check.conv.grad = .makeCC("warning",
 * tol = 2e-3))`), applied to `scaledGradient`.
 */
export const GRADIENT_TOLERANCE = 2e-3;
/** A Cholesky pivot² below this share of its X'X diagonal marks a rank-deficient design. */
const RANK_TOLERANCE = 1e-10;
/** The optimiser restarts until the gradient is this small (well inside lme4's check). */
const STOP_GRADIENT = 1e-5;
const MAX_RESTARTS = 20;
const MAX_ITERATIONS = 2000;

/** Fits the model by minimising the profiled REML criterion from lme4's start θ = (1, 0, 1). */
export function fitLmm(st: LmmStats): LmmFit {
  const p = st.names.length;
  if (st.n <= p) throw new RangeError(`too few observations (${st.n}) for ${p} fixed effects`);
  if (st.groups < 2) throw new RangeError('at least 2 groups are needed to estimate a random-effect covariance');
  let evaluations = 0;
  // The last profile, so that the gradient at the point the line search accepted reuses it,
  // and the best point seen (numeric.uncmin returns its last point, which after a BFGS
  // update with y's ≤ 0 need not be its best).
  let last: { theta: number[]; pr: Profile | null } = { theta: [], pr: null };
  let best: { theta: number[]; value: number } = { theta: [], value: Infinity };
  const at = (theta: readonly number[]): Profile | null => {
    if (theta.length === last.theta.length && theta.every((v, i) => v === last.theta[i])) return last.pr;
    evaluations += 1;
    last = { theta: [...theta], pr: profile(st, theta) };
    if (last.pr && last.pr.criterion < best.value) best = { theta: last.theta, value: last.pr.criterion };
    return last.pr;
  };
  const f = (theta: number[]): number => at(theta)?.criterion ?? Number.NaN;
  const grad = (theta: number[]): number[] => {
    const pr = at(theta);
    return pr ? profileGradient(st, theta, pr) : theta.map(() => Number.NaN);
  };
  if (Number.isNaN(f([1, 0, 1]))) throw new RangeError('the fixed-effect design is rank deficient (a column is constant or a combination of others)');
  // Each round starts BFGS from the best point so far with a fresh inverse Hessian; rounds
  // stop when one no longer improves the criterion or the gradient is negligible.
  let theta: number[] = [1, 0, 1];
  let value = f(theta);
  let message = '';
  let iterations = 0;
  let maxAbsGradient = Infinity;
  let h = hessian(grad, theta);
  for (let restart = 0; restart < MAX_RESTARTS; restart++) {
    const opt = numeric.uncmin(f, theta, 1e-10, grad, MAX_ITERATIONS - iterations, undefined, { Hinv: startingInverseHessian(h) });
    iterations += opt.iterations;
    message = opt.message;
    const improved = best.value < value;
    if (!improved) break;
    theta = best.theta;
    value = best.value;
    maxAbsGradient = Math.max(...grad(theta).map(Math.abs));
    h = hessian(grad, theta);
    if (maxAbsGradient < STOP_GRADIENT || iterations >= MAX_ITERATIONS) break;
  }
  const optimum = at(theta);
  if (!optimum) throw new RangeError('the REML optimum has a singular fixed-effect cross-product');
  const scaled = scaledGradient(h, grad(theta));
  const converged = iterations < MAX_ITERATIONS && scaled < GRADIENT_TOLERANCE;
  const th: [number, number, number] = [theta[0] ?? 0, theta[1] ?? 0, theta[2] ?? 0];
  return summarise(st, th, optimum, { converged, message, iterations, max_abs_gradient: maxAbsGradient, scaled_gradient: scaled, evaluations });
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
    n_groups: st.groups,
    fixed,
    random: { sd_intercept: sdI, sd_slope: sdS, correlation: sdI > 0 && sdS > 0 ? v01 / (sdI * sdS) : null, covariance: [[v00, v01], [v01, v11]] },
    residual_sd: Math.sqrt(sigma2),
    reml_criterion: best.criterion,
    theta,
    convergence,
    vcov,
  };
}
