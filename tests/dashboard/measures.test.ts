// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { labelRows, measureLabelsChart } from '../../dashboard/src/charts/measure-labels';
import { measuresPage, type MeasuresData } from '../../dashboard/src/pages/measures';
import { DEFAULT_STATE } from '../../dashboard/src/state';
import { fixtures, normalize } from './helpers';

// The Measures page (docs/measures.md) from real API answers on the seeded program
// (tests/fixtures/api/measure-*.json, kept current by tests/measures/api.test.ts).

function page(role: 'admin' | 'analyst' | 'viewer', rows: string[] = []): HTMLElement {
  const data: MeasuresData = {
    measures: [fixtures.measureRem6(), fixtures.measureResp6Age()],
    rows: async (name) => {
      rows.push(name);
      return 'episode_id\r\n';
    },
  };
  return measuresPage.view(data, { doc: document, state: { ...DEFAULT_STATE, page: 'measures' }, tracks: fixtures.tracks(), instruments: [], role });
}

describe('Measures page', () => {
  it('draws a rate card and a label card per measure', () => {
    const el = page('analyst');
    expect(el.querySelectorAll('[data-testid^="chart-measure-dep"]').length).toBe(2);
    expect(el.querySelectorAll('[data-testid^="chart-measure-labels-"]').length).toBe(2);
    expect(el.textContent).toContain('CCBHC DEP-REM-6');
    expect(el.textContent).toContain('NQF 1884');
  });

  it('marks suppressed cells in place with "<11" and keeps window_open apart', () => {
    const data = fixtures.measureRem6();
    const hidden = labelRows(data).filter((r) => r.suppressed);
    expect(hidden.length).toBeGreaterThan(0);
    const chart = measureLabelsChart(data, { document });
    const markers = [...chart.querySelectorAll('.suppressed-marker text')].map((t) => t.textContent ?? '');
    // one short marker per bar (a long one ran into the next panel), its labels named in its tooltip and in the note under the chart
    expect(markers.length).toBe(new Set(hidden.map((r) => `${r.group}|${r.part}`)).size);
    for (const m of markers) expect(m.startsWith('<11')).toBe(true);
    const titles = [...chart.querySelectorAll('.suppressed-marker text title')].map((t) => t.textContent ?? '');
    const note = chart.querySelector('.suppressed-note')?.textContent ?? '';
    for (const r of hidden) {
      expect(titles.some((t) => t.includes(`${r.group}, `) && t.includes(r.label.replaceAll('_', ' ')))).toBe(true);
      expect(note).toContain(r.label.replaceAll('_', ' '));
    }
    expect(chart.textContent).toContain('Window open');
    // The rate chart keeps a group whose rate is withheld, marked "<11".
    const el = page('analyst');
    const weekend = data.groups.find((g) => g.key.track === 'weekend');
    expect(weekend).toEqual({ key: { track: 'weekend' }, suppressed: ['all'] });
    const rateMarkers = [...el.querySelectorAll('[data-testid="chart-measure-dep-rem-6"] .suppressed-marker text')].map((t) => t.textContent);
    expect(rateMarkers.length).toBeGreaterThanOrEqual(1);
    for (const m of rateMarkers) expect(m).toMatch(/^<11/);
  });

  it('offers the rows download to admins and analysts only', async () => {
    const calls: string[] = [];
    for (const role of ['admin', 'analyst'] as const) {
      expect(page(role).querySelector('[data-testid="download-rows-dep-rem-6"]')).not.toBeNull();
    }
    expect(page('viewer').querySelector('[data-testid^="download-rows-"]')).toBeNull();
    const button = page('admin', calls).querySelector<HTMLButtonElement>('[data-testid="download-rows-dep-rem-6"]');
    URL.createObjectURL = () => 'blob:x';
    URL.revokeObjectURL = () => undefined;
    button?.click();
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toEqual(['dep-rem-6']);
  });

  it('draws the label chart the same way from the fixture', async () => {
    await expect(normalize(measureLabelsChart(fixtures.measureRem6(), { document }))).toMatchFileSnapshot('./__snapshots__/measure-labels.html');
  });
});
