import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CountRow } from '../../metrics/stats/kaplan-meier';
import { logRank } from '../../metrics/stats/log-rank';
import { readReference, subjectRows } from './reference';

function amlGroups(): CountRow[][] {
  const aml = readReference('km_aml.csv');
  return ['Maintained', 'Nonmaintained'].map((group) => {
    const rows = aml.filter((r) => r.x === group);
    return subjectRows(rows.map((r) => Number(r.time)), rows.map((r) => Number(r.status)));
  });
}

// Source: survdiff(Surv(time, status) ~ x, data = aml) in therneau/survival
// tests/doaml.Rout.save (printed: Observed 7/11, Expected 10.69/7.31,
// (O-E)^2/E 1.27/1.86, Chisq= 3.4 on 1 df, p= 0.0653), with the full-precision
// helper cross-checks of tests/reference/published/km_aml_summary.csv.
describe('logRank against R survdiff on the aml data', () => {
  const summary = readReference('km_aml_summary.csv');
  const value = (item: string, group = 'both') => Number(summary.find((r) => r.item === item && r.group === group)?.value);
  const result = logRank(amlGroups());

  it('reproduces the printed table and statistic', () => {
    expect(result).not.toBeNull();
    if (!result) return;
    expect(result.observed).toEqual([value('logrank_observed', 'Maintained'), value('logrank_observed', 'Nonmaintained')]);
    expect(result.expected[0]).toBeCloseTo(value('logrank_expected', 'Maintained'), 2);
    expect(result.expected[1]).toBeCloseTo(value('logrank_expected', 'Nonmaintained'), 2);
    const oe = result.observed.map((o, i) => (o - (result.expected[i] ?? NaN)) ** 2 / (result.expected[i] ?? NaN));
    expect(oe[0]).toBeCloseTo(value('logrank_O-E^2/E', 'Maintained'), 2);
    expect(oe[1]).toBeCloseTo(value('logrank_O-E^2/E', 'Nonmaintained'), 2);
    expect(result.df).toBe(1);
    expect(result.chi2).toBeCloseTo(value('logrank_chisq_1df'), 1);
    expect(result.p).toBeCloseTo(value('logrank_p'), 4);
  });

  it('agrees with the full-precision cross-checks', () => {
    expect(result?.chi2).toBeCloseTo(value('logrank_chisq_1df_full_precision'), 6);
    expect(result?.p).toBeCloseTo(value('logrank_p_full_precision'), 6);
    expect(result?.expected[0]).toBeCloseTo(value('logrank_expected_full_precision', 'Maintained'), 6);
  });
});

// Source: statsmodels/statsmodels statsmodels/duration/tests/test_survfunc.py,
// test_survdiff_basic: R survdiff(Surv(ti, st) ~ ix) gives 2.14673, p 0.14287
// (assert_allclose atol = rtol = 1e-4 there).
describe('logRank against the R survdiff value stored in statsmodels', () => {
  it('gives chi-square 2.14673 and p 0.14287', () => {
    const g1 = subjectRows([3, 1, 2, 3, 2, 1, 5, 3], [0, 1, 1, 1, 0, 0, 1, 0]);
    const g2 = subjectRows([1, 1, 2, 3, 7, 1, 5, 3, 9], [0, 1, 0, 0, 1, 0, 1, 0, 1]);
    const result = logRank([g1, g2]);
    expect(Math.abs((result?.chi2 ?? NaN) - 2.14673)).toBeLessThan(1e-4 + 1e-4 * 2.14673);
    expect(Math.abs((result?.p ?? NaN) - 0.14287)).toBeLessThan(1e-4 + 1e-4 * 0.14287);
  });
});

const countRows = fc.array(
  fc.record({ day: fc.integer({ min: 0, max: 30 }), events: fc.integer({ min: 0, max: 4 }), censored: fc.integer({ min: 0, max: 3 }) }),
  { minLength: 1, maxLength: 12 },
);

describe('logRank properties', () => {
  it('does not depend on the order of the groups (so the (k−1)×(k−1) solve is right)', () => {
    fc.assert(
      fc.property(fc.array(countRows, { minLength: 2, maxLength: 4 }), fc.integer({ min: 1, max: 3 }), (groups, rot) => {
        const a = logRank(groups);
        const turned = groups.map((_, i) => groups[(i + rot) % groups.length] ?? []);
        const b = logRank(turned);
        if (a === null || b === null) return (a === null) === (b === null);
        return a.df === b.df && Math.abs(a.chi2 - b.chi2) <= 1e-8 * Math.max(1, a.chi2);
      }),
    );
  });

  it('keeps Σ O = Σ E, chi-square ≥ 0 and p within [0, 1] for two groups', () => {
    fc.assert(
      fc.property(countRows, countRows, (g1, g2) => {
        const result = logRank([g1, g2]);
        if (!result) return true;
        const totalO = result.observed.reduce((s, v) => s + v, 0);
        const totalE = result.expected.reduce((s, v) => s + v, 0);
        return Math.abs(totalO - totalE) < 1e-9 && result.chi2 >= -1e-12 && result.p >= 0 && result.p <= 1;
      }),
    );
  });
});

describe('logRank edge cases', () => {
  it('is null with fewer than two groups', () => {
    expect(logRank([])).toBeNull();
    expect(logRank([[{ day: 1, events: 1, censored: 0 }]])).toBeNull();
  });

  it('is null when only one group has expected events (R drops groups with E = 0)', () => {
    const early = [{ day: 5, events: 2, censored: 0 }];
    const goneBefore = [{ day: 1, events: 0, censored: 3 }];
    expect(logRank([early, goneBefore])).toBeNull();
  });

  it('is null when nobody has an event', () => {
    expect(logRank([[{ day: 2, events: 0, censored: 1 }], [{ day: 3, events: 0, censored: 2 }]])).toBeNull();
  });

  it('drops a group with no one at risk at any event time from df, like R', () => {
    const a = [{ day: 3, events: 1, censored: 1 }, { day: 6, events: 1, censored: 0 }];
    const b = [{ day: 4, events: 2, censored: 0 }, { day: 8, events: 0, censored: 1 }];
    const empty = [{ day: 1, events: 0, censored: 2 }];
    const withEmpty = logRank([a, b, empty]);
    const without = logRank([a, b]);
    expect(withEmpty?.df).toBe(1);
    expect(withEmpty?.chi2).toBeCloseTo(without?.chi2 ?? NaN, 12);
    expect(withEmpty?.expected[2]).toBe(0);
  });

  it('is null when the variance is zero (every event day empties the risk set)', () => {
    const a = [{ day: 2, events: 1, censored: 0 }];
    const b = [{ day: 2, events: 1, censored: 0 }];
    expect(logRank([a, b])).toBeNull();
  });
});
