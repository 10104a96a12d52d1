import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { completionGroup } from '../../metrics/completion/statistics';
import { DISCHARGE_REASONS } from '../../warehouse/rules';
import { DISCLOSURE_RULE, protectCounts, protectResponse, roundToBase, snapToMonths } from '../../metrics/disclosure';
import { parseFilters, type MetricFilters } from '../../metrics/filters';
import { retentionGroup } from '../../metrics/retention';
import { kaplanMeier, kaplanMeierFromTable } from '../../metrics/stats/kaplan-meier';
import { isSmall } from '../../metrics/stats/suppression';
import { wilson } from '../../metrics/stats/wilson';
import { isSuppressedGroup, type CompletionGroup, type MetricResponse, type RetentionGroup } from '../../metrics/types';

/** docs/metrics.md "Disclosure control": rounding to base 5, month snapping, derived figures from rounded counts. */

function filters(raw: Record<string, string> = {}): MetricFilters {
  const parsed = parseFilters(raw);
  if (!parsed.ok) throw new Error(parsed.error.error);
  return parsed.filters;
}

function response<M extends 'completion' | 'retention'>(metric: M, groups: MetricResponse<M>['groups'], logRank?: null | { chi2: number; df: number; p: number }): MetricResponse<M> {
  return {
    metric, as_of: '2025-12-31', min_cell: 11, filters: { track: null, from: null, to: null, group_by: 'track', period: 'month' },
    definition: { suppression: {}, text: {} }, groups, ...(logRank === undefined ? {} : { log_rank: logRank }), suppressed: false,
  } as MetricResponse<M>;
}

describe('roundToBase (conventional rounding to the nearest multiple of 5)', () => {
  it('rounds 0, 1, 2 down and 3, 4 up within each five, and keeps 0 at 0', () => {
    expect([0, 1, 2, 3, 4, 5, 7, 8, 12, 13, 93, 94, 95].map((x) => roundToBase(x))).toEqual([0, 0, 0, 5, 5, 5, 5, 10, 10, 15, 95, 95, 95]);
  });

  it('is never more than 2 from the count, always a multiple of 5, and monotone', () => {
    fc.assert(fc.property(fc.nat(100_000), fc.nat(100_000), (a, b) => {
      const [ra, rb] = [roundToBase(a), roundToBase(b)];
      expect(ra % 5).toBe(0);
      expect(Math.abs(ra - a)).toBeLessThanOrEqual(2);
      if (a <= b) expect(ra).toBeLessThanOrEqual(rb);
    }));
  });
});

describe('snapToMonths', () => {
  it('moves from to the first of its month and to to the last, leap years included', () => {
    const f = snapToMonths(filters({ from: '2024-02-14', to: '2024-02-15', as_of: '2024-12-31' }));
    expect([f.from, f.to, f.as_of]).toEqual(['2024-02-01', '2024-02-29', '2024-12-31']);
    expect(snapToMonths(filters({ to: '2025-02-01', as_of: '2025-12-31' })).to).toBe('2025-02-28');
    expect(snapToMonths(filters({ to: '2199-12-31', as_of: '2025-12-31' })).to).toBe('2199-12-31');
  });

  it('keeps an as_of that ends a month and otherwise takes the end of the month before, never a later day', () => {
    expect(snapToMonths(filters({ as_of: '2025-06-30' })).as_of).toBe('2025-06-30');
    expect(snapToMonths(filters({ as_of: '2025-06-29' })).as_of).toBe('2025-05-31');
    expect(snapToMonths(filters({ as_of: '2024-03-01' })).as_of).toBe('2024-02-29');
    expect(snapToMonths(filters({ as_of: '2025-01-15' })).as_of).toBe('2024-12-31');
  });

  it('gives every day of a month the same filters, so two days cannot be differenced', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 28 }), fc.integer({ min: 1, max: 28 }), (d1, d2) => {
      const day = (d: number) => `2025-03-${String(d).padStart(2, '0')}`;
      const a = snapToMonths(filters({ from: day(d1), to: day(d1), as_of: day(d1) }));
      const b = snapToMonths(filters({ from: day(d2), to: day(d2), as_of: day(d2) }));
      expect(a).toEqual(b);
    }));
  });
});

describe('kaplanMeierFromTable', () => {
  it('equals kaplanMeier on an exact table (same estimator, Greenwood SE and log CI)', () => {
    const rows = fc.array(fc.record({ day: fc.integer({ min: 0, max: 200 }), events: fc.nat(5), censored: fc.nat(5) }), { maxLength: 40 });
    fc.assert(fc.property(rows, (r) => {
      const km = kaplanMeier(r);
      expect(kaplanMeierFromTable(km.curve)).toEqual(km);
    }));
  });
});

const reasonCounts = fc.record(Object.fromEntries(DISCHARGE_REASONS.map((r) => [r, fc.oneof(fc.constant(0), fc.nat(12), fc.nat(300))])) as Record<string, fc.Arbitrary<number>>);

describe('protectResponse', () => {
  it('publishes every completion count as a multiple of 5 and recomputes both rates from rounded counts', () => {
    fc.assert(fc.property(reasonCounts, fc.nat(40), (reasons, open) => {
      const discharged = Object.values(reasons).reduce((s, v) => s + v, 0);
      const n = discharged + open;
      if (isSmall(n, 11) || n === 0) return;
      const exact = completionGroup({ reasons, los: { grp: 'day', discharged, los_median: 30, los_q1: 20, los_q3: 40 } }, { track: 'day' }, n, 11);
      const [g] = protectResponse(response('completion', [exact])).groups as CompletionGroup[];
      if (!g) throw new Error('no group');
      for (const v of [g.n, g.discharged, g.completed, ...Object.values(g.reasons)]) if (v !== null) expect(v % 5).toBe(0);
      expect(g.suppressed).toEqual(exact.suppressed);
      // Suppression ran first and is unchanged: whatever it hid stays hidden.
      for (const [k, v] of Object.entries(exact.reasons)) if (v === null) expect(g.reasons[k]).toBeNull();
      if (g.completion_rate !== null && g.completed !== null && g.discharged !== null) {
        expect(g.completion_rate).toBe(g.completed / g.discharged);
        expect(g.completion_ci).toEqual(wilson(g.completed, g.discharged));
      }
      if (g.positive_discharge_rate !== null && g.discharged !== null) {
        const x = g.positive_discharge_rate * g.discharged;
        expect(Math.abs(x - Math.round(x))).toBeLessThan(1e-9);
        expect(Math.round(x) % 5).toBe(0);
        expect(g.positive_discharge_ci).toEqual(wilson(Math.round(x), g.discharged));
      }
    }), { numRuns: 300 });
  });

  it('rebuilds the KM curve, median and retention_at from the rounded steps and withholds the log-rank test', () => {
    const rows = Array.from({ length: 60 }, (_, i) => ({ day: i * 3, events: (i * 7) % 4, censored: (i * 5) % 3 }));
    const n = rows.reduce((s, r) => s + r.events + r.censored, 0);
    const exact = retentionGroup(rows, { track: 'day' }, n, 11);
    const body = protectResponse(response('retention', [exact, { key: { track: 'weekend' }, suppressed: ['all'] }], { chi2: 1.2, df: 1, p: 0.27 }));
    expect(body.log_rank).toBeNull();
    expect(body.definition.disclosure).toEqual(DISCLOSURE_RULE);
    expect(isSuppressedGroup(body.groups[1] ?? {})).toBe(true);
    const g = body.groups[0] as RetentionGroup;
    expect(g.n % 5).toBe(0);
    expect(g.curve.length).toBeGreaterThan(0);
    for (const step of g.curve) for (const c of [step.at_risk, step.events, step.censored]) expect(c % 5).toBe(0);
    const rebuilt = kaplanMeierFromTable(g.curve);
    expect(rebuilt.curve).toEqual(g.curve);
    const last = g.curve.at(-1);
    const at30 = g.curve.filter((s) => s.day <= 30).at(-1);
    expect(g.retention_at['30'].survival).toBe(last && last.day >= 30 ? (at30?.survival ?? 1) : null);
  });

  it('leaves the exact response untouched (analysts and admins are served it)', () => {
    const exact = retentionGroup([{ day: 3, events: 12, censored: 13 }], { track: 'day' }, 25, 11);
    const before = structuredClone(exact);
    protectResponse(response('retention', [exact]));
    expect(exact).toEqual(before);
  });
});

describe('protectCounts', () => {
  it('rounds each named count on its own and keeps null and other fields', () => {
    expect(protectCounts({ label: 'x', with: 90, without: null, total: 94 }, ['with', 'without', 'total'])).toEqual({ label: 'x', with: 90, without: null, total: 95 });
  });
});
