import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anhoej, spc, type SpcResult } from '../../metrics/stats/spc';
import { readReference } from './reference';

/**
 * The SPC engine against qicharts2's published reference outputs: the `.rds` files its
 * test suite compares `qic(...)$data` with (anhoej/qicharts2 tests/testthat/test_montgomery.R),
 * read with the Python `rdata` package and copied to tests/reference/published/qic_*.csv
 * (tests/reference/published/README.md lists each call). The data are Montgomery,
 * Introduction to Statistical Quality Control, Table 7.4, Example 7.1 and Example 6.5.
 */
const TOL = 1e-12;

type Row = Record<string, string>;
const num = (v: string | undefined): number | null => (v === undefined || v === 'NA' ? null : Number(v));

function expectMatches(result: SpcResult, rows: readonly Row[]): void {
  expect(result.points).toHaveLength(rows.length);
  rows.forEach((row, i) => {
    const p = result.points[i];
    expect(p?.phase).toBe(Number(row.part));
    expect(Math.abs((p?.cl ?? NaN) - Number(row.cl))).toBeLessThan(TOL);
    expect(Math.abs((p?.ucl ?? NaN) - Number(row.ucl))).toBeLessThan(TOL);
    expect(Math.abs((p?.lcl ?? NaN) - Number(row.lcl))).toBeLessThan(TOL);
    expect(p?.sigma_signal).toBe(row.sigma_signal === 'TRUE');
    const phase = result.phases.find((ph) => ph.phase === p?.phase);
    expect(phase?.n_obs).toBe(num(row.n_obs));
    expect(phase?.n_useful).toBe(num(row.n_useful));
    expect(phase?.longest_run).toBe(num(row.longest_run));
    expect(phase?.longest_run_max).toBe(num(row.longest_run_max));
    expect(phase?.n_crossings).toBe(num(row.n_crossings));
    expect(phase?.n_crossings_min).toBe(num(row.n_crossings_min));
    expect(phase?.runs_signal).toBe(row.runs_signal === 'TRUE');
  });
}

describe('the SPC engine reproduces qicharts2', () => {
  it('p-chart of Montgomery Table 7.4 (variable n): qic(sample, count, size, chart = "p"), tbl_7.4_1.rds', () => {
    const rows = readReference('qic_p_montgomery_tbl_7_4.csv');
    expect(rows).toHaveLength(25);
    const result = spc(rows.map((r) => ({ x: r.x ?? '', num: Number(r.y_sum), den: Number(r.n) })), { chart: 'p' });
    expectMatches(result, rows);
    // the printed figures: centre 0.09551, longest run 5 (limit 8), 10 crossings (limit 8), one point above the UCL
    expect(result.phases).toHaveLength(1);
    expect(result.phases[0]).toMatchObject({ longest_run: 5, longest_run_max: 8, n_crossings: 10, n_crossings_min: 8, runs_signal: false, sigma_signals: 1 });
  });

  it('p-chart of Montgomery Example 7.1 in two parts with two points excluded: qic(..., chart = "p", exclude = c(15, 23), part = 30), ex_7.1_5.rds', () => {
    const rows = readReference('qic_p_montgomery_ex_7_1_parts.csv');
    expect(rows).toHaveLength(94);
    const result = spc(rows.map((r) => ({ x: r.x ?? '', num: Number(r.y_sum), den: Number(r.n) })), { chart: 'p', phaseStarts: [30], exclude: [14, 22] });
    expectMatches(result, rows);
    expect(result.phases.map((p) => [p.cl, p.n_useful, p.longest_run, p.n_crossings])).toEqual([[0.215, 28, 5, 13], [0.1096875, 64, 7, 30]]);
  });

  it('I-chart of Montgomery Example 6.5 with limits frozen on the first 20 points: qic(weeks, cost, chart = "i", freeze = 20), ex_6.5_3.rds', () => {
    const rows = readReference('qic_i_montgomery_ex_6_5_freeze.csv');
    expect(rows).toHaveLength(40);
    const result = spc(rows.map((r) => ({ x: r.x ?? '', num: Number(r.y_sum), den: 1 })), { chart: 'i', freeze: 20 });
    expectMatches(result, rows);
    expect(result.phases[0]?.sigma_signals).toBe(2);
  });
});

describe('Anhøj rules, hand-built', () => {
  // 12 points, centre 0.5: four below then eight above; log2(12) = 3.58 → limit round(3.58) + 3 = 7
  const base = [0.4, 0.4, 0.4, 0.4, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6];

  it('signals a shift when the longest run passes round(log2(n)) + 3', () => {
    const r = anhoej(base, 0.5);
    expect(r).toMatchObject({ n_useful: 12, longest_run: 8, longest_run_max: 7, shift_signal: true });
  });

  it('loses the shift signal when one point of the run moves to the other side', () => {
    const moved = [...base];
    moved[8] = 0.4;
    const r = anhoej(moved, 0.5);
    expect(r).toMatchObject({ longest_run: 4, longest_run_max: 7, shift_signal: false });
    expect(r.n_crossings).toBe(3);
    // qbinom(0.05, 11, 0.5) = 3: three crossings are not too few
    expect(r).toMatchObject({ n_crossings_min: 3, crossings_signal: false, runs_signal: false });
  });

  it('skips points on the centre line: they neither break nor extend a run, and do not count in n', () => {
    const onLine = [0.4, 0.4, 0.5, 0.4, 0.6, 0.5, 0.6];
    const r = anhoej(onLine, 0.5);
    expect(r).toMatchObject({ n_obs: 7, n_useful: 5, longest_run: 3, n_crossings: 1 });
  });

  it('a p-chart of admissions by month changes its signal when one month moves (through the engine)', () => {
    const months = base.map((p, i) => ({ x: `2025-${String(i + 1).padStart(2, '0')}`, num: Math.round(p * 50), den: 50 }));
    expect(spc(months, { chart: 'p' }).phases[0]?.runs_signal).toBe(true);
    const moved = months.map((m, i) => (i === 8 ? { ...m, num: 20 } : m));
    expect(spc(moved, { chart: 'p' }).phases[0]?.runs_signal).toBe(false);
  });
});

describe('SPC engine details', () => {
  it('clips p-chart limits to [0, 1]', () => {
    const r = spc([{ x: 'a', num: 1, den: 2 }, { x: 'b', num: 1, den: 3 }], { chart: 'p' });
    for (const p of r.points) {
      expect(p.lcl).toBeGreaterThanOrEqual(0);
      expect(p.ucl).toBeLessThanOrEqual(1);
    }
  });

  it('gives an empty period no value and no limits, and leaves it out of the runs', () => {
    const r = spc([{ x: 'a', num: 5, den: 10 }, { x: 'b', num: 0, den: 0 }, { x: 'c', num: 6, den: 10 }], { chart: 'p' });
    expect(r.points[1]).toMatchObject({ y: null, ucl: null, lcl: null, sigma_signal: false });
    expect(r.phases[0]?.n_obs).toBe(2);
  });

  it('Laney p′ multiplies sigma by the mean moving range of the z-scores / 1.128', () => {
    const pts = [{ x: 'a', num: 10, den: 100 }, { x: 'b', num: 30, den: 100 }, { x: 'c', num: 20, den: 100 }];
    const r = spc(pts, { chart: 'p', laney: true });
    const cl = 60 / 300;
    const s = Math.sqrt(cl * (1 - cl) / 100);
    const [z1, z2, z3] = [(0.1 - cl) / s, (0.3 - cl) / s, (0.2 - cl) / s];
    const sigmaZ = ((Math.abs(z2 - z1) + Math.abs(z3 - z2)) / 2) / 1.128;
    expect(r.laney).toBe(true);
    expect(r.points[0]?.ucl).toBeCloseTo(Math.min(1, cl + 3 * s * sigmaZ), 12);
  });

  it('I-chart limits are the mean ± 2.66 × the mean moving range', () => {
    const r = spc([10, 14, 12, 16].map((v, i) => ({ x: String(i), num: v, den: 1 })), { chart: 'i' });
    const amr = (4 + 2 + 4) / 3;
    expect(r.points[0]?.cl).toBe(13);
    expect(r.points[0]?.ucl).toBeCloseTo(13 + 3 * amr / 1.128, 12);
    expect(r.points[0]?.lcl).toBeCloseTo(13 - 3 * amr / 1.128, 12);
  });
});

describe('Anhøj rules, properties', () => {
  const series = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 60 });

  it('read a series backwards as forwards: the same longest run and crossings', () => {
    fc.assert(fc.property(series, (ys) => {
      const f = anhoej(ys, 2);
      const b = anhoej([...ys].reverse(), 2);
      expect([b.n_useful, b.longest_run, b.n_crossings]).toEqual([f.n_useful, f.longest_run, f.n_crossings]);
    }));
  });

  it('ignore points on the centre line: dropping them changes no figure', () => {
    fc.assert(fc.property(series, (ys) => {
      const all = anhoej(ys, 2);
      const off = anhoej(ys.filter((y) => y !== 2), 2);
      expect({ ...off, n_obs: all.n_obs }).toEqual(all);
    }));
  });
});
