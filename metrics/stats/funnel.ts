import chisqQuantile from '@stdlib/stats-base-dists-chisquare-quantile';
import { quantile } from 'd3-array';
import { zFor } from './normal-z';

/**
 * Funnel plots for an indirectly standardised ratio O/E against E (Spiegelhalter 2005,
 * "Funnel plots for comparing institutional performance", Stat Med 24:1185–1202; and
 * "Handling over-dispersion of performance indicators", Qual Saf Health Care 14:347–351),
 * computed as the R package FunnelPlotR 0.6.0 (nhs-r-community) does for `data_type = "SR"`
 * (docs/comparisons.md "Funnel limits"):
 *
 * - Without overdispersion, exact Poisson limits around 1: lower = χ²(α/2; 2E)/2/E,
 *   upper = χ²(1 − α/2; 2(E + 1))/2/E (`calculate_limits`, `draw_adjusted = FALSE`).
 * - Overdispersion is estimated on the square-root scale (`sr_method = "CQC"`): each unit's
 *   z = (√(O/E) − 1)/s with s = 1/(2√E); the z-scores are Winsorised at 10% at each end
 *   (R `quantile` type 7), φ = mean of the squared Winsorised z-scores (`phi_func`), and
 *   τ² = max(0, (nφ − (n − 1)) / (Σw − Σw²/Σw)) with w = 1/s², 0 when nφ < n − 1 (the
 *   DerSimonian–Laird form of `tau_func`).
 * - Additive limits: 1 ± z·√(s² + τ²); multiplicative: 1 ± z·√φ·s, both on the √(O/E)
 *   scale. FunnelPlotR plots its CQC limits on the O/E axis without transforming them
 *   back; we square them (clipping the lower one at 0), which is the same limit on the
 *   O/E scale and keeps the overdispersed funnel wider than the Poisson one.
 * - When φ ≤ 1 there is no overdispersion to allow for and the Poisson limits stand
 *   (FunnelPlotR: "No overdispersion detected … plotting using unadjusted limits").
 */

export type Overdispersion = 'none' | 'multiplicative' | 'additive';
export const OVERDISPERSION = ['none', 'multiplicative', 'additive'] as const satisfies readonly Overdispersion[];

/** Spiegelhalter's 95% and 99.8% limits (≈ 2 and 3 SDs). */
export const FUNNEL_LEVELS = [0.95, 0.998] as const;
/** FunnelPlotR `trim_by`: 10% at each end. */
export const WINSORISE_SHARE = 0.1;

export interface Limits {
  lower95: number;
  upper95: number;
  lower998: number;
  upper998: number;
}

export interface Dispersion {
  /** Number of z-scores (units) behind φ. */
  n: number;
  phi: number;
  tau2: number;
}

export interface UnitCounts {
  observed: number;
  expected: number;
}

/** Exact Poisson limits of O/E at expected count E (FunnelPlotR `calculate_limits`, unadjusted). */
export function poissonLimit(expected: number, level: number): { lower: number; upper: number } {
  const tail = (1 - level) / 2;
  return {
    lower: chisqQuantile(tail, 2 * expected) / 2 / expected,
    upper: chisqQuantile(1 - tail, 2 * (expected + 1)) / 2 / expected,
  };
}

/**
 * Exact (Garwood) Poisson interval of an observed count, divided by E: the O/E CI of a
 * unit, the interval FunnelPlotR's unadjusted limits invert. Lower 0 when O = 0.
 */
export function ratioInterval(observed: number, expected: number, level = 0.95): [number, number] {
  const tail = (1 - level) / 2;
  const lower = observed === 0 ? 0 : chisqQuantile(tail, 2 * observed) / 2;
  const upper = chisqQuantile(1 - tail, 2 * (observed + 1)) / 2;
  return [lower / expected, upper / expected];
}

/** √(O/E)-scale z-score and its standard error (FunnelPlotR `transformed_zscore`, CQC). */
export function sqrtZ(u: UnitCounts): { z: number; s: number } {
  const s = 1 / (2 * Math.sqrt(u.expected));
  return { z: (Math.sqrt(u.observed / u.expected) - 1) / s, s };
}

/** z-scores beyond the 10th and 90th centiles (R type 7) set to those centiles (FunnelPlotR `winsorisation`). */
export function winsorise(z: readonly number[], share = WINSORISE_SHARE): number[] {
  const lo = quantile(z, share);
  const hi = quantile(z, 1 - share);
  if (lo === undefined || hi === undefined) return [];
  return z.map((v) => Math.min(Math.max(v, lo), hi));
}

/** φ and τ² from already trimmed z-scores and their standard errors (`phi_func`, `tau_func`). */
export function dispersionOf(z: readonly number[], s: readonly number[]): Dispersion {
  const n = z.length;
  if (n === 0) return { n, phi: 0, tau2: 0 };
  const phi = z.reduce((acc, v) => acc + v * v, 0) / n;
  if (n * phi < n - 1) return { n, phi, tau2: 0 };
  const w = s.map((v) => 1 / (v * v));
  const sumW = w.reduce((a, b) => a + b, 0);
  const sumW2 = w.reduce((a, b) => a + b * b, 0);
  // A single unit leaves no between-unit spread to estimate τ² from: the denominator is 0.
  const spread = sumW - sumW2 / sumW;
  if (!(spread > 0)) return { n, phi, tau2: 0 };
  return { n, phi, tau2: Math.max(0, (n * phi - (n - 1)) / spread) };
}

/** φ and τ² of a set of units on the square-root scale with 10% Winsorisation. */
export function sqrtDispersion(units: readonly UnitCounts[]): Dispersion {
  const scored = units.filter((u) => u.expected > 0).map(sqrtZ);
  return dispersionOf(winsorise(scored.map((x) => x.z)), scored.map((x) => x.s));
}

/** The limits at expected count E under the chosen overdispersion model. */
export function funnelLimits(expected: number, overdispersion: Overdispersion, d: Dispersion): Limits {
  if (overdispersion === 'none' || d.phi <= 1) {
    const l95 = poissonLimit(expected, 0.95);
    const l998 = poissonLimit(expected, 0.998);
    return { lower95: l95.lower, upper95: l95.upper, lower998: l998.lower, upper998: l998.upper };
  }
  const s = 1 / (2 * Math.sqrt(expected));
  const sd = overdispersion === 'additive' ? Math.sqrt(s * s + d.tau2) : Math.sqrt(d.phi) * s;
  const band = (conf: number) => {
    const half = zFor(conf) * sd;
    return { lower: Math.max(0, 1 - half) ** 2, upper: (1 + half) ** 2 };
  };
  const b95 = band(0.95);
  const b998 = band(0.998);
  return { lower95: b95.lower, upper95: b95.upper, lower998: b998.lower, upper998: b998.upper };
}

export type FunnelPosition = 'above_99.8' | 'above_95' | 'within_95' | 'below_95' | 'below_99.8';

/** Where O/E lies against the limits; a point on a limit is inside it (FunnelPlotR `outliers_func`). */
export function funnelPosition(ratio: number, l: Limits): FunnelPosition {
  if (ratio > l.upper998) return 'above_99.8';
  if (ratio < l.lower998) return 'below_99.8';
  if (ratio > l.upper95) return 'above_95';
  if (ratio < l.lower95) return 'below_95';
  return 'within_95';
}
