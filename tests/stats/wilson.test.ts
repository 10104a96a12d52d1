import { describe, expect, it } from 'vitest';
import { wilson } from '../../metrics/stats/wilson';
import { readReference } from './reference';

// Source: R binom::binom.confint(x, n, tol = 1e-8), method "wilson", as stored in
// statsmodels/statsmodels statsmodels/stats/tests/results/results_proportion.py;
// copied to tests/reference/published/proportion_ci.csv.
describe('wilson against R binom::binom.confint', () => {
  const rows = readReference('proportion_ci.csv').filter((r) => r.method === 'wilson');

  it('has the published rows to test', () => {
    expect(rows.length).toBeGreaterThanOrEqual(4);
  });

  for (const row of rows) {
    it(`reproduces ${row.x}/${row.n} to 1e-10`, () => {
      const ci = wilson(Number(row.x), Number(row.n), Number(row.conf_level));
      expect(ci).not.toBeNull();
      expect(Math.abs((ci?.[0] ?? NaN) - Number(row.lower))).toBeLessThan(1e-10);
      expect(Math.abs((ci?.[1] ?? NaN) - Number(row.upper))).toBeLessThan(1e-10);
    });
  }
});

describe('wilson edge cases', () => {
  it('is null when n = 0', () => {
    expect(wilson(0, 0)).toBeNull();
  });

  it('starts exactly at 0 for x = 0 and ends exactly at 1 for x = n', () => {
    expect(wilson(0, 10)?.[0]).toBe(0);
    expect(wilson(10, 10)?.[1]).toBe(1);
  });

  it('gives the closed form z²/(n + z²) as the upper limit for x = 0', () => {
    const z2 = 1.959963984540054 ** 2;
    expect(wilson(0, 10)?.[1]).toBeCloseTo(z2 / (10 + z2), 14);
  });

  it('rejects impossible counts', () => {
    expect(() => wilson(3, 2)).toThrow(RangeError);
    expect(() => wilson(-1, 2)).toThrow(RangeError);
    expect(() => wilson(1.5, 2)).toThrow(RangeError);
  });
});
