import { describe, expect, it } from 'vitest';
import { kaplanMeier, medianWithCi, survivalAt, type KmCurve } from '../../metrics/stats/kaplan-meier';
import { matchesPrinted, readReference, subjectRows } from './reference';

function amlGroup(group: string): KmCurve {
  const rows = readReference('km_aml.csv').filter((r) => r.x === group);
  return kaplanMeier(subjectRows(rows.map((r) => Number(r.time)), rows.map((r) => Number(r.status))));
}

// Source: R survival, aml data (therneau/survival tests/difftest.Rout.save), and
// summary(survfit(Surv(time, status) ~ x, data = aml)) as printed in
// therneau/survival tests/doaml.Rout.save; both in tests/reference/published.
describe('kaplanMeier against R survfit on the aml data', () => {
  const expected = readReference('km_aml_expected.csv');

  for (const row of expected) {
    it(`reproduces ${row.group} week ${row.time} to the printed precision`, () => {
      const point = amlGroup(String(row.group)).curve.find((r) => r.day === Number(row.time));
      expect(point).toBeDefined();
      if (!point) return;
      expect(point.at_risk).toBe(Number(row.n_risk));
      expect(point.events).toBe(Number(row.n_event));
      expect(matchesPrinted(point.survival, String(row.survival))).toBe(true);
      if (row.std_err === 'NaN') {
        expect(point.std_err).toBeNull();
        expect(point.lower).toBeNull();
        expect(point.upper).toBeNull();
        return;
      }
      expect(matchesPrinted(point.std_err, String(row.std_err))).toBe(true);
      expect(matchesPrinted(point.lower, String(row.lower_95_log))).toBe(true);
      expect(matchesPrinted(point.upper, String(row.upper_95_log))).toBe(true);
    });
  }

  it('lists exactly the published event times, plus censor-only days', () => {
    const maintained = amlGroup('Maintained');
    const eventDays = maintained.curve.filter((r) => r.events > 0).map((r) => r.day);
    expect(eventDays).toEqual(expected.filter((r) => r.group === 'Maintained').map((r) => Number(r.time)));
    expect(maintained.curve.map((r) => r.day)).toEqual([9, 13, 18, 23, 28, 31, 34, 45, 48, 161]);
  });

  it('keeps a censoring at week 13 at risk for the event at week 13', () => {
    const week13 = amlGroup('Maintained').curve.find((r) => r.day === 13);
    expect(week13).toMatchObject({ at_risk: 10, events: 1, censored: 1 });
  });

  // km_aml_summary.csv: print(survfit) n, events, median [0.95LCL, 0.95UCL].
  it('reproduces the printed n, events and medians 31 [18, NA] and 23 [8, NA]', () => {
    const summary = readReference('km_aml_summary.csv');
    for (const group of ['Maintained', 'Nonmaintained']) {
      const km = amlGroup(group);
      const pick = (item: string) => summary.find((r) => r.item === item && r.group === group);
      expect(km.n).toBe(Number(pick('n')?.value));
      expect(km.events).toBe(Number(pick('events')?.value));
      const median = pick('median');
      const asNumber = (v: string | undefined) => (v === 'NA' || v === undefined ? null : Number(v));
      expect(medianWithCi(km)).toEqual({
        median: asNumber(median?.value),
        lower: asNumber(median?.lower_95),
        upper: asNumber(median?.upper_95),
      });
    }
  });
});

// Source: statsmodels/statsmodels statsmodels/duration/tests/test_survfunc.py
// (test_survfunc1/2), values produced by R survival::survfit; compared there
// with assert_allclose(atol = 1e-5, rtol = 1e-5).
describe('kaplanMeier against the R values stored in statsmodels test_survfunc.py', () => {
  const cases = [
    {
      name: 'ti1/st1 (every time has an event)',
      ti: [3, 1, 2, 3, 2, 1, 5, 3],
      st: [0, 1, 1, 1, 0, 0, 1, 0],
      times: [1, 2, 3, 5],
      surv: [0.875, 0.7291667, 0.546875, 0.0],
      se: [0.1169268, 0.1649762, 0.20058, null],
      risk: [8, 6, 4, 1],
    },
    {
      name: 'ti2/st2 (some times only censored)',
      ti: [1, 1, 2, 3, 7, 1, 5, 3, 9],
      st: [0, 1, 0, 0, 1, 0, 1, 0, 1],
      times: [1, 5, 7, 9],
      surv: [0.8888889, 0.5925926, 0.2962963, 0.0],
      se: [0.1047566, 0.2518034, 0.244432, null],
      risk: [9, 3, 2, 1],
    },
  ];
  for (const c of cases) {
    it(`matches ${c.name}`, () => {
      const events = kaplanMeier(subjectRows(c.ti, c.st)).curve.filter((r) => r.events > 0);
      expect(events.map((r) => r.day)).toEqual(c.times);
      expect(events.map((r) => r.at_risk)).toEqual(c.risk);
      events.forEach((r, i) => {
        const surv = c.surv[i] ?? NaN;
        expect(Math.abs(r.survival - surv)).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(surv));
        const se = c.se[i] ?? null;
        if (se === null) expect(r.std_err).toBeNull();
        else expect(Math.abs((r.std_err ?? NaN) - se)).toBeLessThanOrEqual(1e-5 + 1e-5 * se);
      });
    });
  }
});

// Source: therneau/survival tests/quantile.R, data test1 (the row with status NA
// dropped). The 0.5 quantiles there: overall 9 (lower 6, upper NA); by x,
// curve 0 → 9 (lower 6) and curve 1 → 6 (lower 1). None sits on a flat at
// exactly 0.5, so quantile.survfit and print(survfit) agree.
describe('medianWithCi against therneau/survival tests/quantile.R', () => {
  const time = [9, 1, 1, 6, 6, 8, 10];
  const status = [1, 1, 0, 1, 1, 0, 0];
  const x = [0, 1, 1, 1, 0, 0, 0];
  const pick = (g: number) => ({
    t: time.filter((_, i) => x[i] === g),
    s: status.filter((_, i) => x[i] === g),
  });

  it('finds 9 [6, NA] for the pooled curve, whose S is 6/7, 18/35, 9/35', () => {
    const km = kaplanMeier(subjectRows(time, status));
    expect(km.curve.filter((r) => r.events > 0).map((r) => r.survival)).toEqual([6 / 7, 18 / 35, 9 / 35].map((v) => expect.closeTo(v, 12)));
    expect(medianWithCi(km)).toEqual({ median: 9, lower: 6, upper: null });
  });

  it('finds 9 [6, NA] and 6 [1, NA] for the two strata', () => {
    const zero = pick(0);
    const one = pick(1);
    expect(medianWithCi(kaplanMeier(subjectRows(zero.t, zero.s)))).toEqual({ median: 9, lower: 6, upper: null });
    expect(medianWithCi(kaplanMeier(subjectRows(one.t, one.s)))).toEqual({ median: 6, lower: 1, upper: null });
  });
});

describe('medianWithCi on a flat at exactly 0.5 (R survival:::survmean, minmin)', () => {
  it('averages the day S reaches 0.5 and the day it drops below, as print(survfit(Surv(1:100) ~ 1)) gives 50.5', () => {
    const km = kaplanMeier(Array.from({ length: 100 }, (_, i) => ({ day: i + 1, events: 1, censored: 0 })));
    expect(medianWithCi(km).median).toBe(50.5);
  });

  it('averages across a censor-only day inside the flat', () => {
    // n = 4: events on 1 and 2 → S = 0.5; a censoring on 3; the last event on 5.
    const km = kaplanMeier([
      { day: 1, events: 1, censored: 0 },
      { day: 2, events: 1, censored: 0 },
      { day: 3, events: 0, censored: 1 },
      { day: 5, events: 1, censored: 0 },
    ]);
    expect(medianWithCi(km).median).toBe(3.5);
  });

  it('takes the first day of a flat at 0.5 that never drops (print convention, not quantile.survfit)', () => {
    const km = kaplanMeier([
      { day: 1, events: 1, censored: 0 },
      { day: 2, events: 1, censored: 0 },
      { day: 3, events: 0, censored: 2 },
    ]);
    expect(medianWithCi(km).median).toBe(2);
  });
});

describe('survivalAt (R summary(fit, times = t) conventions)', () => {
  const km = amlGroup('Maintained');

  it('reads the last row on or before the day', () => {
    const at = survivalAt(km, 30);
    const week28 = km.curve.find((r) => r.day === 28);
    expect(at).toMatchObject({ survival: week28?.survival, lower: week28?.lower, upper: week28?.upper });
    expect(at?.at_risk).toBe(5);
  });

  it('gives S = 1 with SE 0 and CI [1, 1] before the first row', () => {
    expect(survivalAt(km, 4)).toEqual({ day: 4, at_risk: 11, survival: 1, std_err: 0, lower: 1, upper: 1 });
  });

  it('gives the row itself on an event day', () => {
    expect(survivalAt(km, 9)?.survival).toBeCloseTo(10 / 11, 12);
  });

  it('is null past the last follow-up day, as R drops times beyond the data', () => {
    expect(survivalAt(km, 161)).not.toBeNull();
    expect(survivalAt(km, 162)).toBeNull();
  });
});

describe('kaplanMeier edge cases, worked by hand', () => {
  it('returns an empty curve for empty input, or only 0/0 rows', () => {
    for (const rows of [[], [{ day: 3, events: 0, censored: 0 }]]) {
      const km = kaplanMeier(rows);
      expect(km).toEqual({ n: 0, events: 0, curve: [] });
      expect(medianWithCi(km)).toEqual({ median: null, lower: null, upper: null });
      expect(survivalAt(km, 30)).toBeNull();
    }
  });

  it('stays at S = 1 with a degenerate CI [1, 1] when all are censored', () => {
    const km = kaplanMeier([
      { day: 5, events: 0, censored: 2 },
      { day: 9, events: 0, censored: 1 },
    ]);
    expect(km.curve).toEqual([
      { day: 5, at_risk: 3, events: 0, censored: 2, survival: 1, std_err: 0, lower: 1, upper: 1 },
      { day: 9, at_risk: 1, events: 0, censored: 1, survival: 1, std_err: 0, lower: 1, upper: 1 },
    ]);
    expect(medianWithCi(km)).toEqual({ median: null, lower: null, upper: null });
  });

  it('drops a single subject to S = 0 with no SE or CI', () => {
    const km = kaplanMeier([{ day: 12, events: 1, censored: 0 }]);
    expect(km.curve).toEqual([
      { day: 12, at_risk: 1, events: 1, censored: 0, survival: 0, std_err: null, lower: null, upper: null },
    ]);
    expect(medianWithCi(km)).toEqual({ median: 12, lower: null, upper: null });
  });

  it('handles d = n at the last time: S = 0 there, the earlier rows keep their Greenwood CI', () => {
    const km = kaplanMeier([
      { day: 1, events: 1, censored: 0 },
      { day: 2, events: 2, censored: 0 },
    ]);
    const [first, last] = km.curve;
    expect(first?.survival).toBeCloseTo(2 / 3, 15);
    // Greenwood: S·sqrt(1/(3·2)); log CI exp(log(2/3) ± z·sqrt(1/6)).
    expect(first?.std_err).toBeCloseTo((2 / 3) * Math.sqrt(1 / 6), 15);
    expect(first?.lower).toBeCloseTo(Math.exp(Math.log(2 / 3) - 1.959963984540054 * Math.sqrt(1 / 6)), 12);
    expect(first?.upper).toBe(1);
    expect(last).toEqual({ day: 2, at_risk: 2, events: 2, censored: 0, survival: 0, std_err: null, lower: null, upper: null });
    expect(medianWithCi(km)).toEqual({ median: 2, lower: 1, upper: null });
  });

  it('sums repeated days and ignores 0/0 rows', () => {
    const split = kaplanMeier([
      { day: 4, events: 1, censored: 0 },
      { day: 2, events: 0, censored: 0 },
      { day: 4, events: 1, censored: 1 },
      { day: 7, events: 1, censored: 0 },
    ]);
    const whole = kaplanMeier([
      { day: 4, events: 2, censored: 1 },
      { day: 7, events: 1, censored: 0 },
    ]);
    expect(split).toEqual(whole);
  });

  it('rejects negative or fractional counts', () => {
    expect(() => kaplanMeier([{ day: 1, events: -1, censored: 0 }])).toThrow(RangeError);
    expect(() => kaplanMeier([{ day: 1, events: 0.5, censored: 0 }])).toThrow(RangeError);
    expect(() => kaplanMeier([{ day: Number.NaN, events: 1, censored: 0 }])).toThrow(RangeError);
  });
});
