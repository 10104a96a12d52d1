import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CholeskyDecomposition, Matrix, determinant, inverse } from 'ml-matrix';
import { fitLmm, groupBlock, profile, profileGradient, type LmmFit } from '../../metrics/stats/lmm';
import { statsFromGroupSums, statsFromRows, type LmmRow } from '../../metrics/stats/lmm-stats';
import { ORTHODONT, SLEEPSTUDY, SLEEPSTUDY_DAYS_2, orthodont, sleepstudy, within1e3, type Observation, type PublishedFit } from './lmm-published';
import { matchesPrinted } from './reference';

const rowsOf = (obs: Observation[]): LmmRow[] => obs.map((o) => ({ y: o.y, t: o.t, x: [1, o.t], group: o.group }));
const fitOf = (obs: Observation[], slope: string): LmmFit => fitLmm(statsFromRows(['(Intercept)', slope], rowsOf(obs)));

function expectPublished(fit: LmmFit, pub: PublishedFit): void {
  expect(fit.convergence.converged).toBe(true);
  expect([fit.n_obs, fit.n_groups]).toEqual([pub.nObs, pub.nGroups]);
  const actual = {
    fixed: fit.fixed.map((f) => f.estimate), se: fit.fixed.map((f) => f.se), sd: [fit.random.sd_intercept, fit.random.sd_slope],
    correlation: fit.random.correlation, residualSd: fit.residual_sd, reml: fit.reml_criterion,
  };
  const ok = {
    fixed: pub.fixed.map((v, i) => within1e3(actual.fixed[i], v)), se: pub.se.map((v, i) => within1e3(actual.se[i], v)),
    sd: pub.sd.map((v, i) => within1e3(actual.sd[i], v)), correlation: within1e3(actual.correlation, pub.correlation),
    residualSd: within1e3(actual.residualSd, pub.residualSd), reml: within1e3(actual.reml, pub.reml),
  };
  expect(ok, JSON.stringify(actual)).toEqual({ fixed: [true, true], se: [true, true], sd: [true, true], correlation: true, residualSd: true, reml: true });
}

describe('REML fit of a random intercept and slope (metrics/stats/lmm.ts) against published fits', () => {
  it('reproduces lme4 Reaction ~ Days + (Days | Subject) on sleepstudy to 1e-3', () => {
    expectPublished(fitOf(sleepstudy(), 'Days'), SLEEPSTUDY);
  });

  it('reproduces nlme/lme4 distance ~ age + (age | Subject) on Orthodont to 1e-3', () => {
    expectPublished(fitOf(orthodont(), 'age'), ORTHODONT);
  });

  it('reproduces the lme4 sleepstudy fit on Days >= 2 as printed (a negative correlation)', () => {
    const fit = fitOf(sleepstudy().filter((o) => o.t >= 2), 'Days');
    const p = SLEEPSTUDY_DAYS_2;
    expect(fit.convergence.converged).toBe(true);
    expect([fit.n_obs, fit.n_groups]).toEqual([p.nObs, p.nGroups]);
    expect(matchesPrinted(fit.fixed[0]?.estimate ?? null, p.fixed[0])).toBe(true);
    expect(matchesPrinted(fit.fixed[1]?.estimate ?? null, p.fixed[1])).toBe(true);
    expect(within1e3(fit.random.sd_intercept, p.sd[0]) && within1e3(fit.random.sd_slope, p.sd[1])).toBe(true);
    expect(matchesPrinted(fit.random.correlation, p.correlation)).toBe(true);
    expect(within1e3(fit.residual_sd, p.residualSd) && within1e3(fit.reml_criterion, p.reml)).toBe(true);
  });

  it('gives the same fit from per-group sums (X = Z·(I₂ ⊗ w)) as from the rows, with a group-level covariate', () => {
    const obs = sleepstudy();
    const baseline = new Map(obs.filter((o) => o.t === 0).map((o) => [o.group, o.y]));
    const high = (g: string) => ((baseline.get(g) ?? 0) >= 260 ? 1 : 0);
    const names = ['(Intercept)', 'high', 'time', 'time:high'];
    const fromRows = fitLmm(statsFromRows(names, obs.map((o) => ({ y: o.y, t: o.t, group: o.group, x: [1, high(o.group), o.t, o.t * high(o.group)] }))));
    const groups = [...baseline.keys()].map((g) => {
      const mine = obs.filter((o) => o.group === g);
      const sum = (f: (o: Observation) => number) => mine.reduce((s, o) => s + f(o), 0);
      return { n: mine.length, st: sum((o) => o.t), stt: sum((o) => o.t * o.t), sy: sum((o) => o.y), sty: sum((o) => o.t * o.y), syy: sum((o) => o.y * o.y), w: [1, high(g)] };
    });
    const fromSums = fitLmm(statsFromGroupSums(names, groups));
    expect(fromSums.convergence.converged).toBe(true);
    expect(fromSums.reml_criterion).toBeCloseTo(fromRows.reml_criterion, 6);
    fromRows.fixed.forEach((f, i) => {
      expect(fromSums.fixed[i]?.estimate).toBeCloseTo(f.estimate, 4);
      expect(fromSums.fixed[i]?.se).toBeCloseTo(f.se, 4);
    });
    expect(fromSums.random.sd_intercept).toBeCloseTo(fromRows.random.sd_intercept, 3);
    expect(fromSums.residual_sd).toBeCloseTo(fromRows.residual_sd, 4);
  });

  it('refuses a rank-deficient fixed-effect design with a clear error', () => {
    const rows = rowsOf(sleepstudy()).map((r) => ({ ...r, x: [1, r.t, 2 * r.t] }));
    expect(() => fitLmm(statsFromRows(['(Intercept)', 'a', 'b'], rows))).toThrow(/rank deficient/);
  });

  it('refuses a single group', () => {
    expect(() => fitOf(sleepstudy().filter((o) => o.group === '308'), 'Days')).toThrow(/at least 2 groups/);
  });
});

describe('REML fit on simulated episodes with baseline bands', () => {
  it('recovers the generating parameters from per-episode sums (3,000 episodes, log time)', () => {
    let seed = 42;
    const rnd = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
    const norm = () => Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
    // Σ: SDs 3 and 1.5 with correlation 0.3; σ = 2; band shifts 5 and 10, slopes −1, −1.5, −2.
    const groups = Array.from({ length: 3000 }, () => {
      const band = Math.floor(rnd() * 3);
      const u0 = norm(), u1 = norm();
      const b0 = 3 * u0, b1 = 1.5 * (0.3 * u0 + Math.sqrt(1 - 0.09) * u1);
      const sums = { n: 0, st: 0, stt: 0, sy: 0, sty: 0, syy: 0 };
      for (let week = 0; week < 5 + Math.floor(rnd() * 8); week++) {
        const t = Math.log(week + 1);
        const y = 5 + 5 * band + b0 + (-1 - 0.5 * band + b1) * t + 2 * norm();
        sums.n += 1; sums.st += t; sums.stt += t * t; sums.sy += y; sums.sty += t * y; sums.syy += y * y;
      }
      return { ...sums, w: [1, band === 1 ? 1 : 0, band === 2 ? 1 : 0] };
    });
    const fit = fitLmm(statsFromGroupSums(['(Intercept)', 'b1', 'b2', 'time', 'time:b1', 'time:b2'], groups));
    expect(fit.convergence.converged).toBe(true);
    const est = fit.fixed.map((f) => f.estimate);
    [5, 5, 10, -1, -0.5, -1].forEach((truth, i) => expect(Math.abs((est[i] ?? NaN) - truth)).toBeLessThan(4 * (fit.fixed[i]?.se ?? 0)));
    expect(fit.random.sd_intercept).toBeCloseTo(3, 0);
    expect(fit.random.sd_slope).toBeCloseTo(1.5, 0);
    expect(Math.abs((fit.random.correlation ?? NaN) - 0.3)).toBeLessThan(0.1);
    expect(fit.residual_sd).toBeCloseTo(2, 1);
  });
});

describe('REML fit properties (fast-check)', () => {
  // sleepstudy's decimals are not exact in binary, so a different summation order would show.
  const base = sleepstudy();
  const reference = fitOf(base, 'Days');
  const labels = [...new Set(base.map((o) => o.group))];

  it('never changes when the score rows are permuted or the groups relabelled', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(base, { minLength: base.length, maxLength: base.length }), fc.shuffledSubarray(labels, { minLength: labels.length, maxLength: labels.length }), (rows, relabel) => {
        const rename = new Map(labels.map((l, i) => [l, `G${relabel[i] ?? ''}`]));
        const fit = fitOf(rows.map((o) => ({ ...o, group: rename.get(o.group) ?? o.group })), 'Days');
        expect(fit).toEqual(reference);
      }),
      { numRuns: 25 },
    );
  });
});

describe('the per-group 2×2 closed forms and the analytic gradient (metrics/stats/lmm.ts)', () => {
  const finite = (lo: number, hi: number) => fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true });

  it('groupBlock gives log|Λ\'SΛ + I| and H = ΛM⁻¹Λ\' = G(I + SG)⁻¹ as ml-matrix computes them', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), finite(-3, 3), finite(0, 3), finite(-5, 5), finite(-5, 5), finite(-5, 5), (n, mean, spread, a, b, c) => {
        // S = Z'Z of n time points (a real Gram matrix: positive semi-definite).
        const ts = Array.from({ length: n }, (_, i) => mean + spread * (i / Math.max(1, n - 1) - 0.5));
        const s0 = n, s1 = ts.reduce((s, t) => s + t, 0), s2 = ts.reduce((s, t) => s + t * t, 0);
        const out = new Float64Array(3);
        const logDet = groupBlock(s0, s1, s2, a, b, c, out);
        const lambda = new Matrix([[a, 0], [b, c]]);
        const S = new Matrix([[s0, s1], [s1, s2]]);
        const M = lambda.transpose().mmul(S).mmul(lambda).add(Matrix.eye(2, 2));
        const H = lambda.mmul(inverse(M)).mmul(lambda.transpose());
        const G = lambda.mmul(lambda.transpose());
        const H2 = G.mmul(inverse(Matrix.eye(2, 2).add(S.mmul(G))));
        const close = (x: number, y: number) => Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y));
        expect(close(logDet, Math.log(determinant(M)))).toBe(true);
        expect([close(out[0] ?? NaN, H.get(0, 0)), close(out[1] ?? NaN, H.get(0, 1)), close(out[2] ?? NaN, H.get(1, 1))]).toEqual([true, true, true]);
        expect([close(out[0] ?? NaN, H2.get(0, 0)), close(out[1] ?? NaN, H2.get(0, 1)), close(out[2] ?? NaN, H2.get(1, 1))]).toEqual([true, true, true]);
      }),
      { numRuns: 200 },
    );
  });

  it('the criterion equals the dense REML formula on a small design', () => {
    // d_R = log|V| + log|X'V⁻¹X| + (n − p)(1 + log(2π r²/(n − p))), V = I + ZGZ', by dense matrices.
    const obs = sleepstudy().filter((o) => ['308', '309', '310', '330'].includes(o.group));
    const st = statsFromRows(['(Intercept)', 'Days'], rowsOf(obs));
    const theta = [0.8, 0.2, 0.3];
    const [a, b, c] = theta as [number, number, number];
    const n = obs.length;
    const X = new Matrix(obs.map((o) => [1, o.t]));
    const y = Matrix.columnVector(obs.map((o) => o.y));
    const G = new Matrix([[a * a, a * b], [a * b, b * b + c * c]]);
    const z = (o: Observation) => Matrix.rowVector([1, o.t]);
    const block = new Matrix(obs.map((oi) => obs.map((oj) => (oi.group === oj.group ? z(oi).mmul(G).mmul(z(oj).transpose()).get(0, 0) : 0))));
    const V = Matrix.eye(n, n).add(block.add(block.transpose()).mul(0.5));
    const vc = new CholeskyDecomposition(V);
    const VX = vc.solve(X), Vy = vc.solve(y);
    const A0 = X.transpose().mmul(VX);
    const A = A0.add(A0.transpose()).mul(0.5);
    const beta = new CholeskyDecomposition(A).solve(X.transpose().mmul(Vy));
    const r2 = y.transpose().mmul(Vy).get(0, 0) - X.transpose().mmul(Vy).transpose().mmul(beta).get(0, 0);
    const df = n - 2;
    const dense = Math.log(determinant(V)) + Math.log(determinant(A)) + df * (1 + Math.log((2 * Math.PI * r2) / df));
    const pr = profile(st, theta);
    expect(pr?.criterion).toBeCloseTo(dense, 8);
    expect(pr?.beta[0]).toBeCloseTo(beta.get(0, 0), 8);
    expect(pr?.beta[1]).toBeCloseTo(beta.get(1, 0), 8);
  });

  it('the analytic gradient agrees with central differences of the criterion', () => {
    const obs = sleepstudy();
    const st = statsFromRows(['(Intercept)', 'high', 'Days', 'Days:high'], obs.map((o) => {
      const h = Number(o.group) % 3 === 0 ? 1 : 0;
      return { y: o.y, t: o.t, group: o.group, x: [1, h, o.t, h * o.t] };
    }));
    for (const theta of [[1, 0, 1], [0.9, 0.1, 0.3], [1.5, -0.5, 0.2], [0.2, 0.05, -0.1]]) {
      const pr = profile(st, theta);
      if (!pr) throw new Error('no profile');
      const g = profileGradient(st, theta, pr);
      const d = 1e-6;
      const at = (x: number[]) => profile(st, x)?.criterion ?? NaN;
      theta.forEach((_, i) => {
        const up = [...theta], down = [...theta];
        up[i] = (up[i] ?? 0) + d;
        down[i] = (down[i] ?? 0) - d;
        const fd = (at(up) - at(down)) / (2 * d);
        expect(Math.abs((g[i] ?? NaN) - fd)).toBeLessThan(1e-4 * Math.max(1, Math.abs(fd)));
      });
    }
  });
});
