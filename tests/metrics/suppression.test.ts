import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { attendanceGroup } from '../../metrics/attendance';
import { completionGroup } from '../../metrics/completion';
import { DISCHARGE_REASONS } from '../../warehouse/rules';
import { computeMetric } from '../../metrics/index';
import { parseFilters } from '../../metrics/filters';
import { retentionGroup } from '../../metrics/retention';
import { symptomsGroup } from '../../metrics/symptoms';
import type { InstrumentRow } from '../../metrics/symptoms';
import type { CompletionGroup } from '../../metrics/types';
import { useTestDatabase } from '../harness/database';
import { addEpisodes, day } from './fixtures';

const t = useTestDatabase();
const MIN = 11;
const small = (v: number | null | undefined) => typeof v === 'number' && v >= 1 && v <= MIN - 1;
const PHQ9: InstrumentRow = { code: 'PHQ-9', higher_is_better: false, reliable_change_points: 6, reliability: null, norm_sd: null, clinical_cutoff: 10, remission_below: 5, min_score: 0, max_score: 27 };

describe('small-cell suppression on a warehouse (docs/metrics.md "Small-cell suppression")', () => {
  beforeAll(async () => {
    const A = '2026-01-01';
    await addEpisodes(t.wh.db, [
      ...Array.from({ length: 20 }, (_, i) => ({ id: `b${i}`, track: 'big', admitted: A, discharged: day(A, 30 + i), reason: i < 17 ? 'completed' : 'dropped_out' })),
      ...Array.from({ length: 3 }, (_, i) => ({ id: `s${i}`, track: 'small', admitted: A })),
    ]);
  });

  it('suppresses a group with n < min_cell whole, hides 1–10 counts with their rates, and flags the response', async () => {
    const f = parseFilters({ as_of: '2026-06-01' });
    if (!f.ok) throw new Error('bad filters');
    const r = await computeMetric(t.wh.db, 'completion', f.filters, { minCell: MIN });
    expect(r.groups[1]).toEqual({ key: { track: 'small' }, suppressed: ['all'] });
    // complementary: the program's total (any other grouping) minus big's 20 would give small's 3, so big goes too
    expect(r.groups[0]).toEqual({ key: { track: 'big' }, suppressed: ['all'] });
    const one = parseFilters({ as_of: '2026-06-01', track: 'big' });
    if (!one.ok) throw new Error('bad filters');
    const rBig = await computeMetric(t.wh.db, 'completion', one.filters, { minCell: MIN });
    const big = rBig.groups[0] as CompletionGroup;
    // 17 completed, 3 dropped out: 3 is hidden, and so is 17 (complementary: 20 − 17 would reveal it), with both rates.
    expect(big).toMatchObject({ n: 20, discharged: 20, completed: null, completion_rate: null, positive_discharge_rate: null });
    expect(big.reasons).toMatchObject({ completed: null, dropped_out: null, transferred: 0 });
    expect(big.suppressed).toEqual(expect.arrayContaining(['reasons.dropped_out', 'reasons.completed', 'completion_rate', 'completion_ci']));
    expect(r.suppressed).toBe(true);
    expect(rBig.suppressed).toBe(true);
    expect(r.min_cell).toBe(MIN);
  });

  it('publishes everything with min_cell 0', async () => {
    const f = parseFilters({ as_of: '2026-06-01', min_cell: '0' });
    if (!f.ok) throw new Error('bad filters');
    const r = await computeMetric(t.wh.db, 'completion', f.filters, { minCell: 0 });
    expect(r.suppressed).toBe(false);
    expect(r.groups[1]).toMatchObject({ n: 3, discharged: 0 });
  });
});

const reasonCounts = fc.record(Object.fromEntries(DISCHARGE_REASONS.map((r) => [r, fc.nat(40)])) as Record<string, fc.Arbitrary<number>>);

describe('suppression properties (fast-check)', () => {
  it('never shows a count of 1–10, nor lets the discharged total reveal a single hidden reason', () => {
    fc.assert(fc.property(reasonCounts, (reasons) => {
      const discharged = Object.values(reasons).reduce((s, v) => s + v, 0);
      const g = completionGroup({ reasons, los: undefined }, { track: 'x' }, Math.max(discharged, MIN), MIN);
      for (const v of [g.discharged, g.completed, ...Object.values(g.reasons)]) expect(small(v)).toBe(false);
      if (g.discharged !== null) {
        const hiddenPositive = Object.entries(g.reasons).filter(([k, v]) => v === null && (reasons[k] ?? 0) > 0);
        expect(hiddenPositive.length).not.toBe(1);
      }
      if (g.completion_rate !== null && g.discharged !== null) {
        const completed = Math.round(g.completion_rate * g.discharged);
        expect(small(completed) || small(g.discharged - completed)).toBe(false);
      }
    }));
  });

  it('never lets an attendance, initiation or engagement rate reveal a small count or its complement', () => {
    fc.assert(fc.property(fc.nat(60), fc.nat(60), fc.integer({ min: MIN, max: 80 }), fc.nat(80), fc.nat(80), (attended, noShow, n, a, b) => {
      const initiated = Math.min(a, n);
      const engaged = Math.min(b, initiated);
      const g = attendanceGroup({ grp: 'x', n, attended, no_show: noShow, per_week_sum: 1, initiated, engaged }, [], { track: 'x' }, n, MIN);
      for (const v of [g.attended, g.no_show, g.initiated, g.engaged]) expect(small(v)).toBe(false);
      for (const [rate, total] of [[g.attendance_rate, attended + noShow], [g.initiation_rate, n], [g.engagement_rate, n]] as const) {
        if (rate === null) continue;
        const x = Math.round(rate * total);
        expect(small(x) || small(total - x)).toBe(false);
      }
    }));
  });

  it('coarsens KM curves so no step shows 1–10 events or censorings', () => {
    const rows = fc.array(fc.record({ day: fc.nat(120), events: fc.nat(4), censored: fc.nat(4) }), { minLength: 1, maxLength: 60 });
    fc.assert(fc.property(rows, (r) => {
      const n = r.reduce((s, x) => s + x.events + x.censored, 0);
      if (n < MIN) return;
      const g = retentionGroup(r, { track: 'x' }, n, MIN);
      for (const step of g.curve) {
        expect(small(step.events) || small(step.censored) || step.at_risk < MIN).toBe(false);
      }
    }));
  });
});

describe('row order never changes results (fast-check)', () => {
  it('gives the same retention group for any order of the count table', () => {
    const rows = fc.array(fc.record({ day: fc.nat(100), events: fc.nat(3), censored: fc.nat(3) }), { minLength: 1, maxLength: 30 });
    fc.assert(fc.property(rows, fc.nat(), fc.constantFrom(0, MIN), (r, seed, minCell) => {
      const n = r.reduce((s, x) => s + x.events + x.censored, 0);
      const shuffled = [...r].sort((a, b) => ((a.day * 7919 + seed) % 101) - ((b.day * 7919 + seed) % 101));
      expect(retentionGroup(shuffled, { track: 'x' }, n, minCell)).toEqual(retentionGroup(r, { track: 'x' }, n, minCell));
    }));
  });

  it('gives the same symptoms group for any order of the pair and trajectory tables', () => {
    const pair = fc.record({ grp: fc.constant('x'), baseline: fc.nat(27), followup: fc.nat(27), n: fc.integer({ min: 1, max: 15 }) });
    const week = fc.record({ grp: fc.constant('x'), week: fc.nat(16), n: fc.integer({ min: 1, max: 20 }), sum: fc.nat(400), sum_sq: fc.nat(9000) });
    fc.assert(fc.property(fc.uniqueArray(pair, { selector: (p) => `${p.baseline}/${p.followup}`, maxLength: 25 }), fc.uniqueArray(week, { selector: (w) => w.week }), fc.constantFrom(0, MIN), (pairs, weeks, minCell) => {
      const paired = pairs.reduce((s, p) => s + p.n, 0);
      const input = { pairs, withBaseline: paired + 3, trajectory: weeks };
      const reversed = { pairs: [...pairs].reverse(), withBaseline: paired + 3, trajectory: [...weeks].reverse() };
      expect(symptomsGroup(reversed, PHQ9, { track: 'x' }, 500, minCell)).toEqual(symptomsGroup(input, PHQ9, { track: 'x' }, 500, minCell));
    }));
  });

  it('without censoring, the retention curve is the empirical survival function', () => {
    fc.assert(fc.property(fc.array(fc.nat(60), { minLength: 1, maxLength: 40 }), (days) => {
      const g = retentionGroup(days.map((d) => ({ day: d, events: 1, censored: 0 })), { track: 'x' }, days.length, 0);
      for (const row of g.curve) expect(row.survival).toBeCloseTo(days.filter((d) => d > row.day).length / days.length, 12);
    }));
  });
});
