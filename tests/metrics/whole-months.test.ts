import { describe, expect, it } from 'vitest';
import { wholeMonths } from '../../metrics/sql/rollup';

/**
 * The admission months a count rollup may answer for (metrics/sql/rollup.ts): those
 * wholly inside from–to, as [first day, first day after). The model answers for the rest.
 */
describe('wholeMonths', () => {
  it('keeps a range that starts on a first and ends on a last day of a month', () => {
    expect(wholeMonths({ from: '2026-01-01', to: '2026-03-31' })).toEqual({ from: '2026-01-01', before: '2026-04-01' });
    expect(wholeMonths({ from: '2024-02-01', to: '2024-02-29' })).toEqual({ from: '2024-02-01', before: '2024-03-01' });
  });

  it('leaves out the months the range cuts, at either end and across a year', () => {
    expect(wholeMonths({ from: '2025-12-02', to: '2026-04-11' })).toEqual({ from: '2026-01-01', before: '2026-04-01' });
    expect(wholeMonths({ from: '2025-02-28', to: '2025-02-27' })).toEqual({ from: '2025-03-01', before: '2025-02-01' });
    expect(wholeMonths({ from: '2023-02-28', to: '2023-02-28' })).toEqual({ from: '2023-03-01', before: '2023-03-01' });
  });

  it('has no bound where the request has none', () => {
    expect(wholeMonths({ from: null, to: null })).toEqual({ from: null, before: null });
    expect(wholeMonths({ from: null, to: '2026-06-15' })).toEqual({ from: null, before: '2026-06-01' });
  });
});
