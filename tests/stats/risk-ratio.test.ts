import { describe, expect, it } from 'vitest';
import { riskRatio } from '../../metrics/stats/risk-ratio';

describe('risk ratio with the Katz log interval', () => {
  it('reproduces the scipy relative_risk example (Katz method)', () => {
    // scipy.stats.contingency.relative_risk(exposed_cases=10, exposed_total=75, control_cases=12,
    // control_total=225): relative_risk 2.5, confidence_interval() = (1.1261564003469628,
    // 5.549850800541033), the docstring example of scipy 1.7 (docs.scipy.org).
    const r = riskRatio(10, 75, 12, 225);
    expect(r?.ratio).toBeCloseTo(2.5, 12);
    expect(r?.ci?.[0]).toBeCloseTo(1.1261564003469628, 12);
    expect(r?.ci?.[1]).toBeCloseTo(5.549850800541033, 12);
  });

  it('gives no interval when a count is zero, and no ratio when the reference rate is zero', () => {
    expect(riskRatio(0, 20, 5, 30)).toEqual({ ratio: 0, ci: null });
    expect(riskRatio(3, 20, 0, 30)).toBeNull();
  });
});
