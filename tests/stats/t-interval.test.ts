import { describe, expect, it } from 'vitest';
import { cohensD, cohensDFromPairs } from '../../metrics/stats/effect-size';
import { meanWithTInterval, summarize, summaryFromSums } from '../../metrics/stats/t-interval';
import fc from 'fast-check';
import { medianAndIqr, medianAndIqrOfCounts } from '../../metrics/stats/quantile';

// R datasets::sleep$extra (Cushny & Peebles 1905; Student 1908): rows 1–10 are
// drug 1, rows 11–20 drug 2, the same ten patients.
const drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

// Source: R `t.test(sleep$extra)`: mean 1.54, 95 percent CI 0.5955845 2.4844155;
// R `t.test(extra[group == 2], extra[group == 1], paired = TRUE)` (the ?t.test
// example): mean difference 1.58, CI 0.7001142 2.4598858, t = 4.0621, df = 9.
describe('meanWithTInterval against R t.test on the sleep data', () => {
  it('reproduces the one-sample interval 1.54 [0.5955845, 2.4844155]', () => {
    const r = meanWithTInterval([...drug1, ...drug2]);
    expect(r.n).toBe(20);
    expect(r.mean).toBeCloseTo(1.54, 12);
    expect(r.lower).toBeCloseTo(0.5955845, 7);
    expect(r.upper).toBeCloseTo(2.4844155, 7);
  });

  it('reproduces the paired interval 1.58 [0.7001142, 2.4598858] as mean change', () => {
    const change = drug2.map((v, i) => v - (drug1[i] ?? NaN));
    const r = meanWithTInterval(change);
    expect(r.mean).toBeCloseTo(1.58, 12);
    expect(r.lower).toBeCloseTo(0.7001142, 7);
    expect(r.upper).toBeCloseTo(2.4598858, 7);
    // t = mean / (sd/√n) = 4.0621 as printed.
    expect((r.mean ?? NaN) / ((r.sd ?? NaN) / Math.sqrt(10))).toBeCloseTo(4.0621, 4);
  });

  it('gives the same interval from SQL-style sums as from the values', () => {
    const change = drug2.map((v, i) => v - (drug1[i] ?? NaN));
    const sum = change.reduce((s, v) => s + v, 0);
    const sumSq = change.reduce((s, v) => s + v * v, 0);
    const fromSums = meanWithTInterval(summaryFromSums(10, sum, sumSq));
    expect(fromSums.lower).toBeCloseTo(0.7001142, 7);
    expect(fromSums.upper).toBeCloseTo(2.4598858, 7);
  });
});

describe('summaryFromSums', () => {
  it('is exact for integer scores, where Σx² − (Σx)²/n would lose digits', () => {
    // 1e8 + {0, 1, 2}: the variance is exactly 1, the naive formula gives 0 or garbage.
    const shifted = summaryFromSums(3, 3, 5, 1e8);
    expect(shifted).toEqual({ n: 3, mean: 1e8 + 1, sd: 1 });
    const values = [4, 9, 9, 12, 27, 0, 15];
    const s = values.reduce((a, v) => a + v, 0);
    const ss = values.reduce((a, v) => a + v * v, 0);
    expect(summaryFromSums(values.length, s, ss).sd).toBeCloseTo(summarize(values).sd ?? NaN, 13);
  });

  it('returns null mean for n = 0 and null SD for n = 1', () => {
    expect(summaryFromSums(0, 0, 0)).toEqual({ n: 0, mean: null, sd: null });
    expect(summaryFromSums(1, 7, 49)).toEqual({ n: 1, mean: 7, sd: null });
  });

  it('clamps negative round-off of the sum of squares to 0', () => {
    expect(summaryFromSums(3, 0.3, 0.03).sd).toBe(0);
  });
});

describe('meanWithTInterval edge cases', () => {
  it('has null bounds when n < 2', () => {
    expect(meanWithTInterval([])).toEqual({ n: 0, mean: null, sd: null, lower: null, upper: null });
    expect(meanWithTInterval([5])).toEqual({ n: 1, mean: 5, sd: null, lower: null, upper: null });
  });

  it('collapses to the mean when every value is equal', () => {
    expect(meanWithTInterval([3, 3, 3])).toEqual({ n: 3, mean: 3, sd: 0, lower: 3, upper: 3 });
  });

  it('accepts summary statistics such as PostgreSQL avg and stddev_samp', () => {
    const fromValues = meanWithTInterval([1, 2, 3, 4]);
    const fromSummary = meanWithTInterval({ n: 4, mean: 2.5, sd: Math.sqrt(5 / 3) });
    expect(fromSummary.lower).toBeCloseTo(fromValues.lower ?? NaN, 14);
    expect(fromSummary.upper).toBeCloseTo(fromValues.upper ?? NaN, 14);
  });
});

describe("Cohen's d (docs/metrics.md: mean change / sample SD of baselines)", () => {
  it('divides the sleep mean change by the SD of drug 1', () => {
    const pairs = drug1.map((baseline, i) => ({ baseline, followup: drug2[i] ?? NaN }));
    const sd1 = summarize(drug1).sd ?? NaN;
    // sd(sleep$extra[1:10]) = 1.789010 in R.
    expect(sd1).toBeCloseTo(1.78901, 5);
    expect(cohensDFromPairs(pairs)).toBeCloseTo(1.58 / sd1, 12);
  });

  it('is null without a usable SD', () => {
    expect(cohensD(1, 0)).toBeNull();
    expect(cohensD(1, null)).toBeNull();
    expect(cohensD(null, 2)).toBeNull();
    expect(cohensDFromPairs([{ baseline: 10, followup: 4 }])).toBeNull();
  });
});

// Source: R `quantile(1:10)` (type 7): 25% 3.25, 50% 5.5, 75% 7.75.
describe('medianAndIqr (R quantile type 7)', () => {
  it('reproduces quantile(1:10)', () => {
    expect(medianAndIqr([10, 9, 8, 7, 6, 5, 4, 3, 2, 1])).toEqual({ median: 5.5, q1: 3.25, q3: 7.75 });
  });

  it('is null for no values and the value itself for one', () => {
    expect(medianAndIqr([])).toBeNull();
    expect(medianAndIqr([4])).toEqual({ median: 4, q1: 4, q3: 4 });
  });
});

describe('medianAndIqrOfCounts (a frequency table, as the completion model returns LOS)', () => {
  it('reproduces quantile(1:10) from a table of ones, and is null for an empty table', () => {
    expect(medianAndIqrOfCounts(Array.from({ length: 10 }, (_, i) => ({ value: i + 1, n: 1 })))).toEqual({ median: 5.5, q1: 3.25, q3: 7.75 });
    expect(medianAndIqrOfCounts([])).toBeNull();
  });

  it('equals medianAndIqr of the expanded values, bit for bit', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 30 }), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 30, maxLength: 30 }), (values, counts) => {
      const table = [...values].sort((a, b) => a - b).map((value, i) => ({ value, n: counts[i] ?? 1 }));
      const expanded = table.flatMap((r) => new Array<number>(r.n).fill(r.value));
      expect(medianAndIqrOfCounts(table)).toEqual(medianAndIqr(expanded));
    }));
  });
});
