import { describe, expect, it } from 'vitest';
import { Cells } from '../../metrics/cells';
import { bandIndex, severityBands } from '../../metrics/symptoms/bands';
import { scatterBins } from '../../metrics/symptoms/statistics';

describe('severity bands of the binned scatter (warehouse/rules.ts SEVERITY_BAND_POINTS, SEVERITY_MAX_BANDS)', () => {
  it('gives the published PHQ-9 severity bands (Kroenke, Spitzer & Williams 2001: 0–4, 5–9, 10–14, 15–19, 20–27)', () => {
    expect(severityBands(0, 27)).toEqual([[0, 4], [5, 9], [10, 14], [15, 19], [20, 27]]);
  });

  it('gives the published GAD-7 severity bands (Spitzer et al. 2006: 0–4, 5–9, 10–14, 15–21)', () => {
    expect(severityBands(0, 21)).toEqual([[0, 4], [5, 9], [10, 14], [15, 21]]);
  });

  it('widens the bands of a wide instrument (PCL-5, 0–80) to a multiple of 5 so there are at most 6', () => {
    expect(severityBands(0, 80)).toEqual([[0, 14], [15, 29], [30, 44], [45, 59], [60, 80]]);
  });

  it('puts a score in its band, moving at the band start (4 | 5, 19 | 20)', () => {
    const bands = severityBands(0, 27);
    expect([4, 5, 19, 20, 27].map((s) => bandIndex(bands, s))).toEqual([0, 1, 3, 4, 4]);
  });
});

describe('scatterBins', () => {
  const phq9 = { min_score: 0, max_score: 27 };
  const pairs = (cells: [number, number, number][]) => cells.map(([baseline, followup, n]) => ({ grp: 'day', baseline, followup, n }));

  it('lists every band × band cell and counts each pair once, at the band edges', () => {
    const cells = new Cells(0);
    const bins = scatterBins(pairs([[14, 4, 3], [15, 5, 2], [20, 20, 1]]), phq9, 6, cells);
    expect(bins).toHaveLength(25);
    const at = (b: number, f: number) => bins.find((c) => c.baseline[0] === b && c.followup[0] === f)?.n;
    expect(at(10, 0)).toBe(3);
    expect(at(15, 5)).toBe(2);
    expect(at(20, 20)).toBe(1);
    expect(bins.reduce((s, c) => s + (c.n ?? 0), 0)).toBe(6);
    expect(cells.list()).toEqual([]);
  });

  it('withholds a cell under min_cell and, when it is the only one, the smallest other non-zero cell', () => {
    const cells = new Cells(11);
    const bins = scatterBins(pairs([[14, 4, 30], [15, 5, 12], [20, 20, 4]]), phq9, 46, cells);
    const at = (b: number, f: number) => bins.find((c) => c.baseline[0] === b && c.followup[0] === f)?.n;
    expect(at(20, 20)).toBeNull();
    expect(at(15, 5)).toBeNull();
    expect(at(10, 0)).toBe(30);
    expect(at(0, 0)).toBe(0);
    expect(cells.list()).toContain('scatter_bins');
  });
});
