import { describe, expect, it } from 'vitest';
import {
  dispersionOf, funnelLimits, funnelPosition, poissonLimit, ratioInterval, sqrtDispersion, sqrtZ, winsorise,
} from '../../metrics/stats/funnel';

/**
 * FunnelPlotR 0.6.0 (github nhs-r-community/FunnelPlotR):
 * - tests/testthat/test-poisson_limits.R: `calculate_limits(number_seq = c(15, 20, 30),
 *   target = 1, draw_adjusted = FALSE)` gives ll95 0.5596924 0.6108260 0.6746958,
 *   ul95 1.649348 1.544419 1.427562, ll99 0.3862650 0.4479107 0.5289724,
 *   ul99 2.082907 1.902094 1.702771 (published).
 * - tests/testthat/test-classes_methods.R: the six units num = 100 150 180 80 120 225,
 *   denom = 108 112 165 95 100 220 give `phi()` = 2.948033 with the default SHMI method
 *   (log-scale z = √E·log(O/E); with six units the 10% truncation keeps all six) (published).
 * - The CQC (square-root, 10% Winsorised) φ, τ² and limits of the same six units are
 *   FunnelPlotR's own `transformed_zscore`, `winsorisation`, `phi_func`, `tau_func` and
 *   `calculate_limits` run in R 4.2.2 by the helper that wrote this test (helper-run, the
 *   package's code on its published example): φ = 2.32717825759411845,
 *   τ² = 0.00343978015418627, and odll95/odul95/odll998/odul998 on the √ scale.
 */
const NUM = [100, 150, 180, 80, 120, 225];
const DEN = [108, 112, 165, 95, 100, 220];
const UNITS = NUM.map((observed, i) => ({ observed, expected: DEN[i] ?? 0 }));

describe('funnel limits against FunnelPlotR', () => {
  it('gives FunnelPlotR exact Poisson limits at E = 15, 20, 30', () => {
    const ll95 = [0.5596924, 0.6108260, 0.6746958];
    const ul95 = [1.649348, 1.544419, 1.427562];
    const ll99 = [0.3862650, 0.4479107, 0.5289724];
    const ul99 = [2.082907, 1.902094, 1.702771];
    [15, 20, 30].forEach((e, i) => {
      const l = funnelLimits(e, 'none', { n: 0, phi: 0, tau2: 0 });
      expect(l.lower95).toBeCloseTo(ll95[i] ?? NaN, 7);
      expect(l.upper95).toBeCloseTo(ul95[i] ?? NaN, 6);
      expect(l.lower998).toBeCloseTo(ll99[i] ?? NaN, 7);
      expect(l.upper998).toBeCloseTo(ul99[i] ?? NaN, 6);
    });
  });

  it('gives FunnelPlotR φ = 2.948033 for its published six-unit example (SHMI z-scores)', () => {
    const z = UNITS.map((u) => Math.sqrt(u.expected) * Math.log(u.observed / u.expected));
    const s = UNITS.map((u) => 1 / Math.sqrt(u.expected));
    const d = dispersionOf(z, s);
    expect(d.phi).toBeCloseTo(2.948033, 6);
    expect(d.tau2).toBeCloseTo(0.0194775305780216, 12); // helper-run tau_func
  });

  it('Winsorises the square-root z-scores, and gives FunnelPlotR CQC φ and τ²', () => {
    const z = UNITS.map((u) => sqrtZ(u).z);
    expect(z[1]).toBeCloseTo(3.328886939315058, 12);
    const w = winsorise(z);
    expect(w[1]).toBeCloseTo(2.618894619760851, 12);
    expect(w[3]).toBeCloseTo(-1.194827280223069, 12);
    const d = sqrtDispersion(UNITS);
    expect(d.phi).toBeCloseTo(2.32717825759411845, 12);
    expect(d.tau2).toBeCloseTo(0.00343978015418627, 14);
  });

  it('gives the additive limits of FunnelPlotR CQC, squared back to the O/E scale', () => {
    const d = sqrtDispersion(UNITS);
    // FunnelPlotR odll95, odul95, odll998, odul998 at E = 108 and 220 (√(O/E) scale).
    const published: [number, number, number, number, number][] = [
      [108, 0.851318999357919, 1.14868100064208, 0.765577946341780, 1.23442205365822],
      [220, 0.867413921521543, 1.13258607847846, 0.790954455046808, 1.20904554495319],
    ];
    for (const [e, l95, u95, l998, u998] of published) {
      const l = funnelLimits(e, 'additive', d);
      // FunnelPlotR rounds z to 1.959964 and 3.090232; we use the exact quantiles.
      expect(Math.sqrt(l.lower95)).toBeCloseTo(l95, 6);
      expect(Math.sqrt(l.upper95)).toBeCloseTo(u95, 6);
      expect(Math.sqrt(l.lower998)).toBeCloseTo(l998, 6);
      expect(Math.sqrt(l.upper998)).toBeCloseTo(u998, 6);
      // Squared back, the overdispersed funnel is wider than the Poisson one.
      const poisson = funnelLimits(e, 'none', d);
      expect(l.lower998).toBeLessThan(poisson.lower998);
      expect(l.upper998).toBeGreaterThan(poisson.upper998);
    }
  });

  it('inflates the multiplicative limits by √φ on the square-root scale', () => {
    const d = sqrtDispersion(UNITS);
    const l = funnelLimits(100, 'multiplicative', d);
    const half = 1.959963984540054 * Math.sqrt(d.phi) * (1 / (2 * Math.sqrt(100)));
    expect(l.lower95).toBeCloseTo((1 - half) ** 2, 12);
    expect(l.upper95).toBeCloseTo((1 + half) ** 2, 12);
  });

  it('gives τ² = 0 for a single unit, where there is no between-unit variance to estimate', () => {
    const d = sqrtDispersion([{ observed: 30, expected: 20 }]);
    expect(Number.isFinite(d.tau2)).toBe(true);
    expect(d.tau2).toBe(0);
  });

  it('keeps the Poisson limits when φ ≤ 1 (no overdispersion)', () => {
    const d = { n: 6, phi: 0.8, tau2: 0 };
    expect(funnelLimits(50, 'additive', d)).toEqual(funnelLimits(50, 'none', d));
    expect(funnelLimits(50, 'multiplicative', d)).toEqual(funnelLimits(50, 'none', d));
  });
});

describe('a unit against its funnel', () => {
  it('gives the exact Poisson CI of O/E, with 0 as the lower end when O = 0', () => {
    const [lo, hi] = ratioInterval(0, 10);
    expect(lo).toBe(0);
    // R: qchisq(0.975, 2) / 2 = 3.688879454113936
    expect(hi * 10).toBeCloseTo(3.688879454113936, 10);
    const l = poissonLimit(20, 0.95);
    // The funnel limit at E is the interval of O = E, except the upper end uses 2(E + 1) df.
    expect(ratioInterval(20, 20)[0]).toBeCloseTo(l.lower, 12);
  });

  it('places a ratio on a limit inside it', () => {
    const l = { lower95: 0.8, upper95: 1.2, lower998: 0.7, upper998: 1.3 };
    expect(funnelPosition(1.2, l)).toBe('within_95');
    expect(funnelPosition(1.25, l)).toBe('above_95');
    expect(funnelPosition(1.31, l)).toBe('above_99.8');
    expect(funnelPosition(0.75, l)).toBe('below_95');
    expect(funnelPosition(0.5, l)).toBe('below_99.8');
  });
});
