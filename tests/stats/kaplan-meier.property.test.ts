import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kaplanMeier, medianWithCi } from '../../metrics/stats/kaplan-meier';

const countRow = fc.record({
  day: fc.integer({ min: 0, max: 200 }),
  events: fc.integer({ min: 0, max: 6 }),
  censored: fc.integer({ min: 0, max: 6 }),
});

describe('kaplanMeier properties (fast-check)', () => {
  it('does not change when the input rows are shuffled', () => {
    fc.assert(
      fc.property(fc.array(countRow, { maxLength: 40 }).chain((rows) => fc.tuple(fc.constant(rows), fc.shuffledSubarray(rows, { minLength: rows.length }))), ([rows, shuffled]) => {
        expect(kaplanMeier(shuffled)).toEqual(kaplanMeier(rows));
      }),
    );
  });

  it('does not change when a day is split into several rows', () => {
    fc.assert(
      fc.property(fc.array(countRow, { maxLength: 30 }), (rows) => {
        const split = rows.flatMap((r) => [
          { day: r.day, events: Math.floor(r.events / 2), censored: 0 },
          { day: r.day, events: r.events - Math.floor(r.events / 2), censored: r.censored },
        ]);
        expect(kaplanMeier(split)).toEqual(kaplanMeier(rows));
      }),
    );
  });

  it('equals the empirical survival function #(T > t)/n without censoring', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 60 }), (times) => {
        const km = kaplanMeier(times.map((day) => ({ day, events: 1, censored: 0 })));
        return km.curve.every((r) => Math.abs(r.survival - times.filter((t) => t > r.day).length / times.length) < 1e-12);
      }),
    );
  });

  it('is non-increasing, with lower ≤ S ≤ upper ≤ 1 and null CI only at S = 0', () => {
    fc.assert(
      fc.property(fc.array(countRow, { maxLength: 40 }), (rows) => {
        const { curve } = kaplanMeier(rows);
        return curve.every((r, i) => {
          const previous = curve[i - 1]?.survival ?? 1;
          if (r.survival > previous) return false;
          if (r.survival === 0) return r.lower === null && r.upper === null && r.std_err === null;
          return r.lower !== null && r.upper !== null && r.lower <= r.survival + 1e-15 && r.survival <= r.upper + 1e-15 && r.upper <= 1;
        });
      }),
    );
  });

  it('keeps n and events equal to the input totals and at_risk equal to those with day ≥ t', () => {
    fc.assert(
      fc.property(fc.array(countRow, { maxLength: 40 }), (rows) => {
        const km = kaplanMeier(rows);
        const total = rows.reduce((s, r) => s + r.events + r.censored, 0);
        const events = rows.reduce((s, r) => s + r.events, 0);
        const atRiskOk = km.curve.every(
          (r) => r.at_risk === rows.filter((x) => x.day >= r.day).reduce((s, x) => s + x.events + x.censored, 0),
        );
        return km.n === total && km.events === events && atRiskOk;
      }),
    );
  });

  it('puts the median inside its CI whenever both bounds exist', () => {
    fc.assert(
      fc.property(fc.array(countRow, { maxLength: 40 }), (rows) => {
        const { median, lower, upper } = medianWithCi(kaplanMeier(rows));
        if (median === null) return upper === null;
        return (lower === null || lower <= median) && (upper === null || median <= upper);
      }),
    );
  });
});
