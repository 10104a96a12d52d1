// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { pChart, pChartData } from '../../dashboard/src/charts/p-chart';
import type { CompletionResponse } from '../../dashboard/src/types';
import { shownGroups } from '../../dashboard/src/format';
import { fixtures } from './helpers';

describe('p-chart of monthly completion', () => {
  it('computes the centre line and 3σ limits by hand (completion-monthly.json)', () => {
    // Worked by hand: usable months Jan 16/40, Feb 11/25, Mar 12/55, May 23/30 (Apr and Jun are
    // suppressed). p̄ = 62/150 = 0.41333; p̄(1−p̄) = 0.242489.
    // Jan: 3·sqrt(0.242489/40) = 0.23358 → [0.17975, 0.64691]
    // Feb: 3·sqrt(0.242489/25) = 0.29546 → [0.11787, 0.70879]
    // Mar: 3·sqrt(0.242489/55) = 0.19920 → [0.21414, 0.61253]; p = 0.21818, just inside
    // May: 3·sqrt(0.242489/30) = 0.26972 → [0.14362, 0.68305]; p = 0.76667, above the UCL
    const { centre, points, omitted } = pChartData(fixtures.completionMonthly());
    expect(centre).toBeCloseTo(62 / 150, 10);
    expect(omitted).toEqual(['2026-04', '2026-06']);
    const byPeriod = Object.fromEntries(points.map((p) => [p.period, p]));
    const expected: [string, number, number, boolean][] = [
      ['2026-01', 0.17975, 0.64691, false],
      ['2026-02', 0.11787, 0.70879, false],
      ['2026-03', 0.21414, 0.61253, false],
      ['2026-05', 0.14362, 0.68305, true],
    ];
    for (const [period, lcl, ucl, outside] of expected) {
      expect(byPeriod[period]?.lcl).toBeCloseTo(lcl, 4);
      expect(byPeriod[period]?.ucl).toBeCloseTo(ucl, 4);
      expect(byPeriod[period]?.outside).toBe(outside);
    }
  });

  it('clips the limits to [0, 1] when a month is small', () => {
    const data = fixtures.completionMonthly();
    const month = shownGroups(data.groups)[0];
    if (!month) throw new Error('completion-monthly.json has no full group');
    data.groups = [
      { ...month, key: { period: '2026-01' }, discharged: 12, completed: 11 },
      { ...month, key: { period: '2026-02' }, discharged: 100, completed: 95 },
    ];
    // p̄ = 106/112 = 0.946429; for n = 12, 3σ = 3·sqrt(0.946429·0.053571/12) = 0.195002 → UCL 1.141 clipped to 1, LCL 0.751427.
    const { points } = pChartData(data);
    expect(points[0]?.ucl).toBe(1);
    expect(points[0]?.lcl).toBeCloseTo(0.751427, 5);
  });

  it('shows an empty state when every month is suppressed', () => {
    const data: CompletionResponse = { ...fixtures.completionMonthly(), groups: [{ key: { period: '2026-01' }, suppressed: ['all'] }] };
    const el = pChart(data);
    expect(el.classList.contains('empty-state')).toBe(true);
  });
});
