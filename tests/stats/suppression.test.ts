import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kaplanMeier, type KmRow } from '../../metrics/stats/kaplan-meier';
import { coarsenKm, isSmall, suppressCounts } from '../../metrics/stats/suppression';

describe('isSmall (docs/metrics.md: suppress 1 … min_cell − 1)', () => {
  it('flags 1–10 for the CMS default of 11, never 0 or 11', () => {
    expect([0, 1, 10, 11].map((c) => isSmall(c, 11))).toEqual([false, true, true, false]);
  });

  it('is disabled by min_cell 0 or 1', () => {
    expect(isSmall(1, 1)).toBe(false);
    expect(isSmall(1, 0)).toBe(false);
  });
});

describe('suppressCounts', () => {
  it('hides the small count and, with a published total, the next smallest', () => {
    const hidden = suppressCounts({ completed: 40, transferred: 3, dropped_out: 25, terminated: 12 }, 80, 11);
    expect([...hidden].sort()).toEqual(['terminated', 'transferred']);
  });

  it('adds no complement without a published total', () => {
    expect([...suppressCounts({ a: 40, b: 3, c: 25 }, null, 11)]).toEqual(['b']);
  });

  it('adds no complement when two counts are already hidden', () => {
    expect([...suppressCounts({ a: 40, b: 3, c: 5, d: 30 }, 78, 11)].sort()).toEqual(['b', 'c']);
  });

  it('never hides a zero, as complement or otherwise', () => {
    expect([...suppressCounts({ a: 0, b: 4, c: 30, d: 20 }, 54, 11)].sort()).toEqual(['b', 'd']);
  });

  it('breaks ties by key', () => {
    expect([...suppressCounts({ z: 20, y: 20, x: 2 }, 42, 11)].sort()).toEqual(['x', 'y']);
  });

  it('hides nothing when min_cell is 1', () => {
    expect(suppressCounts({ a: 1, b: 2 }, 3, 1).size).toBe(0);
  });

  it('never lets a small count be recovered as total − Σ visible', () => {
    const row = fc.dictionary(fc.string({ minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 40 }), { minKeys: 1, maxKeys: 6 });
    fc.assert(
      fc.property(row, fc.integer({ min: 2, max: 15 }), (counts, minCell) => {
        const total = Object.values(counts).reduce((s, v) => s + v, 0);
        fc.pre(total >= minCell); // a smaller group is suppressed whole
        const hidden = suppressCounts(counts, total, minCell);
        const visible = Object.entries(counts).filter(([k]) => !hidden.has(k));
        const hiddenValues = Object.entries(counts).filter(([k]) => hidden.has(k)).map(([, v]) => v);
        const residual = total - visible.reduce((s, [, v]) => s + v, 0);
        const everySmallHidden = Object.entries(counts).every(([k, v]) => !isSmall(v, minCell) || hidden.has(k));
        const hiddenPositive = hiddenValues.filter((v) => v > 0).length;
        const recoverable = hiddenPositive === 1 && hiddenValues.some((v) => isSmall(v, minCell) && v === residual);
        return everySmallHidden && !recoverable;
      }),
    );
  });
});

function curveOf(rows: { day: number; events: number; censored: number }[]): KmRow[] {
  return kaplanMeier(rows).curve;
}

describe('coarsenKm (docs/metrics.md: KM curves under suppression are coarsened)', () => {
  it('returns the curve unchanged when min_cell ≤ 1', () => {
    const curve = curveOf([{ day: 1, events: 1, censored: 0 }, { day: 3, events: 0, censored: 2 }]);
    expect(coarsenKm(curve, 3, 1)).toEqual(curve);
    expect(coarsenKm(curve, 3, 0)).toEqual(curve);
  });

  it('merges days into steps of ≥ min_cell events and censorings, carrying S from the step end', () => {
    // n = 40; events 2,3,6 then censorings 11 on day 4; then events 12 on day 6.
    const rows = [
      { day: 1, events: 2, censored: 0 },
      { day: 2, events: 3, censored: 0 },
      { day: 3, events: 6, censored: 0 },
      { day: 4, events: 0, censored: 11 },
      { day: 6, events: 12, censored: 0 },
      { day: 9, events: 0, censored: 6 },
    ];
    const curve = curveOf(rows);
    const steps = coarsenKm(curve, 40, 11);
    const full = (day: number) => curve.find((r) => r.day === day);
    expect(steps).toEqual([
      { ...full(3), day: 3, at_risk: 40, events: 11, censored: 0 },
      { ...full(4), day: 4, at_risk: 29, events: 0, censored: 11 },
      { ...full(6), day: 6, at_risk: 18, events: 12, censored: 0 },
    ]);
  });

  it('keeps merging while censorings are small even when events are enough', () => {
    const rows = [
      { day: 1, events: 11, censored: 2 },
      { day: 2, events: 0, censored: 9 },
      { day: 5, events: 3, censored: 0 },
    ];
    const steps = coarsenKm(curveOf(rows), 25, 11);
    expect(steps.map((s) => [s.day, s.at_risk, s.events, s.censored])).toEqual([[2, 25, 11, 11]]);
  });

  it('ends before a step that starts with fewer than min_cell at risk', () => {
    const rows = [
      { day: 1, events: 11, censored: 0 },
      { day: 2, events: 10, censored: 0 },
    ];
    // min_cell 11: after day 1 only 10 remain at risk, so the curve stops there.
    expect(coarsenKm(curveOf(rows), 21, 11).map((s) => s.day)).toEqual([1]);
    // min_cell 12: 11 events are too few, so days 1–2 merge into one step from 21 at risk.
    expect(coarsenKm(curveOf(rows), 21, 12).map((s) => [s.day, s.at_risk, s.events])).toEqual([[2, 21, 21]]);
  });

  it('returns nothing for a group below min_cell', () => {
    expect(coarsenKm(curveOf([{ day: 1, events: 5, censored: 5 }]), 10, 11)).toEqual([]);
  });

  const countTable = fc.array(
    fc.record({ day: fc.integer({ min: 0, max: 120 }), events: fc.integer({ min: 0, max: 14 }), censored: fc.integer({ min: 0, max: 14 }) }),
    { maxLength: 40 },
  );

  it('never exposes a step with 1 … min_cell − 1 events or censorings, nor at_risk < min_cell', () => {
    fc.assert(
      fc.property(countTable, fc.integer({ min: 2, max: 15 }), (rows, minCell) => {
        const km = kaplanMeier(rows);
        return coarsenKm(km.curve, km.n, minCell).every(
          (s) => !isSmall(s.events, minCell) && !isSmall(s.censored, minCell) && s.at_risk >= minCell,
        );
      }),
    );
  });

  it('reports at each step end exactly the full curve there, and at_risk consistent with the steps', () => {
    fc.assert(
      fc.property(countTable, fc.integer({ min: 2, max: 15 }), (rows, minCell) => {
        const km = kaplanMeier(rows);
        const steps = coarsenKm(km.curve, km.n, minCell);
        let atRisk = km.n;
        return steps.every((s) => {
          const full = km.curve.find((r) => r.day === s.day);
          const ok = s.at_risk === atRisk && full?.survival === s.survival && full.lower === s.lower && full.upper === s.upper;
          atRisk -= s.events + s.censored;
          return ok;
        });
      }),
    );
  });
});
