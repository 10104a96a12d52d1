import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportFigures } from '../../api/report/figures';
import { renderReportHtml } from '../../api/report/html';
import { tableOf } from '../../api/report/model';
import { suppressionRule } from '../../metrics/response';
import type { MetricResponse } from '../../metrics/types';

/**
 * Issue 18 item 5: the printable report states each metric's definition in the plain
 * sentences its response carries (`definition.text`), not as raw JSON, and prints a
 * p-value below 0.001 as "p < 0.001". Drawn from the dashboard fixtures, which parse with
 * the response schemas (tests/dashboard/fixtures.test.ts), so no database is needed.
 */
const load = <M extends 'retention' | 'attendance' | 'completion' | 'symptoms' | 'relapse'>(name: M): MetricResponse<M> =>
  JSON.parse(readFileSync(path.join(import.meta.dirname, `../fixtures/api/${name}.json`), 'utf8')) as MetricResponse<M>;

function report(...responses: MetricResponse[]): string {
  const names = new Map([['day', 'Day IOP']]);
  return renderReportHtml({
    generated_at: '2026-12-06T00:00:00.000Z', as_of: '2026-11-23', from: null, to: null, min_cell: 11, suppression: suppressionRule(11),
    tracks: [], tables: responses.map((r) => tableOf(r, names)), measures: [], completeness: [], limits: {},
  });
}

describe('the printable report', () => {
  it('prints each definition as the sentences of its response, with no JSON', () => {
    const retention = load('retention');
    const attendance = load('attendance');
    const html = report(retention, attendance);
    expect(html).toContain('Dropout is a discharge with reason dropped out, against advice or terminated');
    expect(html).toContain(`<li>${attendance.definition.text.initiation ?? 'missing'}</li>`);
    expect(html).not.toContain('{&#34;');
    expect(html).not.toContain('discharge_reasons');
  });

  it('prints a p-value below 0.001 as "p < 0.001" and others to three decimals', () => {
    const small = { ...load('retention'), log_rank: { chi2: 31.2, df: 5, p: 0.00001 } };
    expect(report(small)).toContain('df = 5, p &#60; 0.001.');
    expect(tableOf(small, new Map()).note).toBe('Log-rank test across tracks: χ² = 31.20, df = 5, p < 0.001.');
    expect(tableOf(load('retention'), new Map()).note).toBe('Log-rank test across tracks: χ² = 4.21, df = 1, p = 0.040.');
  });

  it('draws the overview’s headline figures as static SVG with the dashboard’s own chart functions, "<11" markers included', async () => {
    const overview = { retention: load('retention'), completion: load('completion'), symptoms: load('symptoms'), relapse: load('relapse'), attendance: load('attendance') };
    const figures = await reportFigures(overview, [{ track_code: 'day', name: 'Day IOP' }]);
    expect(figures.map((f) => f.name)).toEqual(['overview-retention-30', 'overview-retention-planned', 'overview-completion', 'overview-improvement', 'overview-abstinence', 'overview-engagement']);
    for (const f of figures) {
      expect(f.svg.startsWith('<svg')).toBe(true);
      expect(f.svg).toContain('xmlns="http://www.w3.org/2000/svg"');
      expect(f.svg).toContain('Day IOP');
      // weekend is withheld whole in every fixture: its row keeps a "<11" marker
      expect(f.svg).toMatch(/class="suppressed-marker"[^]*&lt;11/);
      expect(f.svg).not.toContain('<script');
    }
    const html = renderReportHtml({
      generated_at: '2026-12-06T00:00:00.000Z', as_of: '2026-11-23', from: null, to: null, min_cell: 11, suppression: suppressionRule(11),
      tracks: [], tables: [tableOf(overview.retention, new Map())], measures: [], completeness: [], limits: {},
    }, figures);
    expect(html.match(/<figure data-figure=/g)).toHaveLength(6);
    expect(html).toContain('<h2>Headline outcomes</h2>');
    // citations, not the project's internal file names
    expect(html).not.toMatch(/docs\/|\.md\b|\.ts\b/);
    expect(html).toContain('Kaplan EL, Meier P.');
    expect(await reportFigures({ ...overview, symptoms: null }, [])).toHaveLength(5);
  });
});
