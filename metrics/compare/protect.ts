import { DISCLOSURE_RULE, roundToBase } from '../disclosure';
import { funnelPosition, ratioInterval } from '../stats/funnel';
import { riskRatio } from '../stats/risk-ratio';
import { wilson } from '../stats/wilson';
import type { AdjustedComparison, ComparisonResponse, ComparisonUnit, EquityComparison, EquityGroupRow } from './schema';

/**
 * Disclosure control of a comparison for roles below analyst (docs/comparisons.md
 * "Disclosure"), after suppression has run on the exact counts, as metrics/disclosure.ts
 * does for the metrics: counts rounded to base 5 on their own, figures derived from counts
 * recomputed from the rounded ones, continuous figures to fewer digits, and the
 * likelihood sums (deviance, null deviance, AIC) and degrees of freedom (they give n back
 * exactly) withheld.
 */

const r5 = (count: number | null): number | null => (count === null ? null : roundToBase(count));
const fix = (value: number | null, digits: number): number | null => (value === null ? null : Number(value.toFixed(digits)));

export const COMPARE_DISCLOSURE = {
  ...DISCLOSURE_RULE,
  compare: 'unit and group counts rounded to base 5; O/E = rounded O / E with the exact Poisson CI of rounded O; E, limits and curve to 2 decimals; '
    + 'coefficients and SEs to 2 decimals, z to 1, p to 3; deviance, null deviance, AIC and degrees of freedom withheld; c-statistic to 2 decimals; '
    + 'rates and risk ratios recomputed from rounded counts',
};

function protectUnit(u: ComparisonUnit): ComparisonUnit {
  if (!('n' in u)) return u;
  const observed = r5(u.observed);
  const expected = u.expected;
  const oe = observed !== null && expected !== null && expected > 0 && u.oe !== null ? observed / expected : null;
  const limits = u.limits === null ? null : {
    lower95: fix(u.limits.lower95, 2) ?? 0, upper95: fix(u.limits.upper95, 2) ?? 0,
    lower998: fix(u.limits.lower998, 2) ?? 0, upper998: fix(u.limits.upper998, 2) ?? 0,
  };
  return {
    ...u,
    n: roundToBase(u.n),
    observed,
    expected: fix(expected, 2),
    oe: fix(oe, 2),
    oe_ci: oe === null || observed === null || expected === null ? null : (ratioInterval(observed, expected).map((v) => Number(v.toFixed(2))) as [number, number]),
    limits,
    position: oe === null || u.limits === null ? null : funnelPosition(oe, u.limits),
  };
}

function protectAdjusted(r: AdjustedComparison): AdjustedComparison {
  const m = r.model;
  return {
    ...r,
    definition: { ...r.definition, disclosure: COMPARE_DISCLOSURE },
    model: {
      ...m,
      n: r5(m.n),
      coefficients: m.coefficients.map((c) => ({ ...c, estimate: fix(c.estimate, 2), std_error: fix(c.std_error, 2), z: fix(c.z, 1), p: fix(c.p, 3) })),
      deviance: null, null_deviance: null, aic: null, df_residual: null, df_null: null,
      c_statistic: fix(m.c_statistic, 2),
    },
    funnel: {
      ...r.funnel,
      phi: fix(r.funnel.phi, 2),
      tau2: fix(r.funnel.tau2, 4),
      curve: r.funnel.curve.map((p) => ({
        expected: Number(p.expected.toFixed(2)), lower95: Number(p.lower95.toFixed(2)), upper95: Number(p.upper95.toFixed(2)),
        lower998: Number(p.lower998.toFixed(2)), upper998: Number(p.upper998.toFixed(2)),
      })),
    },
    units: r.units.map(protectUnit),
    notes: {
      episodes: roundToBase(r.notes.episodes), without_baseline: roundToBase(r.notes.without_baseline),
      without_age: roundToBase(r.notes.without_age), modelled: roundToBase(r.notes.modelled),
      ...(r.notes.excluded === undefined ? {} : { excluded: r5(r.notes.excluded), window_open: r5(r.notes.window_open ?? null) }),
    },
  };
}

function protectEquity(r: EquityComparison): EquityComparison {
  const reference = r.groups.find((g): g is Extract<EquityGroupRow, { n: number }> => g.key === r.reference && 'n' in g);
  const refN = reference === undefined ? null : roundToBase(reference.n);
  const refEvents = reference === undefined ? null : r5(reference.events);
  const groups = r.groups.map((g): EquityGroupRow => {
    if (!('n' in g)) return g;
    const n = roundToBase(g.n);
    const events = r5(g.events);
    const showRate = g.rate !== null && events !== null && n > 0;
    const rr = g.ratio !== null && events !== null && refN !== null && refEvents !== null ? riskRatio(events, n, refEvents, refN) : null;
    return {
      ...g, n, events,
      rate: showRate ? events / n : null,
      rate_ci: showRate ? wilson(events, n) : null,
      ratio: rr?.ratio ?? null,
      ratio_ci: g.ratio_ci === null ? null : rr?.ci ?? null,
    };
  });
  const notes = r.notes ? { notes: { excluded: r5(r.notes.excluded), window_open: r5(r.notes.window_open) } } : {};
  return { ...r, definition: { ...r.definition, disclosure: COMPARE_DISCLOSURE }, groups, ...notes };
}

export function protectComparison(r: ComparisonResponse): ComparisonResponse {
  return r.kind === 'adjusted' ? protectAdjusted(r) : protectEquity(r);
}
