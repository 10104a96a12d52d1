// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { followupLabelRows, followupMonthRows, nomsRows } from '../../dashboard/src/charts/followup';
import { followupPage } from '../../dashboard/src/pages/followup';
import { DEFAULT_STATE } from '../../dashboard/src/state';
import type { MeasureResponse } from '../../dashboard/src/types';
import { fixtures } from './helpers';

// The Follow-up page (docs/funder-reporting.md) on real CLI answers of the demo cohort at
// min_cell 11: the rate by month of intake against its target (open windows drawn as
// immature, never as drops), the labels, and the NOMs pairs, with withheld values marked in place.

async function draw() {
  const calls: string[] = [];
  const api = {
    measure: async (name: string, params: URLSearchParams): Promise<MeasureResponse> => {
      calls.push(`${name}?${params.toString()}`);
      return name === 'noms' ? fixtures.noms() : params.get('period') === 'month' ? fixtures.followupMonthly() : fixtures.followup();
    },
  } as unknown as Parameters<typeof followupPage.load>[0];
  const state = { ...DEFAULT_STATE, page: 'followup' as const, tracks: ['day'] };
  const data = await followupPage.load(api, state);
  const el = followupPage.view(data, { doc: document, state, tracks: fixtures.tracks(), instruments: fixtures.instruments() });
  return { calls, el, data };
}

describe('Follow-up page', () => {
  it('asks for followup-6m by month of intake and by the grouping, and for noms', async () => {
    const { calls } = await draw();
    expect(calls).toEqual([
      'followup-6m?track=day&group_by=period&period=month',
      'followup-6m?track=day&group_by=track',
      'noms?track=day&group_by=track',
    ]);
  });

  it('draws the three cards with their definitions from the responses', async () => {
    const { el } = await draw();
    for (const id of ['chart-followup-rate', 'chart-followup-labels', 'chart-noms']) expect(el.querySelector(`[data-testid="${id}"]`), id).not.toBeNull();
    expect(el.querySelector('[data-testid="chart-followup-rate"]')?.textContent).toContain('80% target');
    expect(el.querySelector('[data-testid="chart-followup-rate"]')?.textContent).toContain('5 to 8 months after the intake');
  });

  it('draws the target line, and months with open windows as immature rather than as drops', async () => {
    const { el, data } = await draw();
    const rows = followupMonthRows(data.monthly);
    const immature = rows.filter((r) => r.status === 'immature').map((r) => r.month);
    // as of 2026-06-30 every intake from 2025-11 on (window end 2026-07-01 or later) is still open
    expect(immature).toEqual(['2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06']);
    expect(rows.filter((r) => r.status === 'mature').every((r) => r.month < '2025-11')).toBe(true);
    const chart = el.querySelector('[data-testid="chart-followup-rate"]');
    expect(chart?.querySelector('.target-line')).not.toBeNull();
    expect(chart?.querySelectorAll('.month-immature circle').length).toBe(immature.filter((m) => rows.find((r) => r.month === m)?.rate !== null).length);
    expect(chart?.textContent).toContain('immature');
  });

  it('marks withheld months, labels and NOMs percentages in place with "<11"', async () => {
    const { el, data } = await draw();
    const withheldMonths = followupMonthRows(data.monthly).filter((r) => r.status === 'suppressed');
    expect(withheldMonths.length).toBeGreaterThan(0);
    const rate = el.querySelector('[data-testid="chart-followup-rate"]');
    expect(rate?.querySelectorAll('.suppressed-marker text').length).toBeGreaterThanOrEqual(withheldMonths.length);
    const table = el.querySelector('[data-testid="chart-followup-labels"] table');
    const cells = [...(table?.querySelectorAll('td.suppressed') ?? [])];
    expect(cells.length).toBe(followupLabelRows(data.labels).filter((r) => r.suppressed).length);
    expect(cells.every((c) => c.textContent === '<11' && (c as HTMLElement).title.startsWith('Suppressed'))).toBe(true);
    expect(table?.querySelectorAll('tbody tr').length).toBe(data.labels.groups.length);
  });

  it('pairs intake and follow-up per NOMs domain, with a withheld domain kept as a grey band', async () => {
    const { el, data } = await draw();
    const rows = nomsRows(data.noms);
    expect(new Set(rows.map((r) => r.domain))).toEqual(new Set(['Abstinent', 'Employed or in school', 'Stable housing', 'No arrests', 'Socially connected']));
    const drawn = rows.filter((r) => r.intake_pct !== null && r.followup_pct !== null);
    const chart = el.querySelector('[data-testid="chart-noms"]');
    expect(chart?.querySelectorAll('.noms-intake circle').length).toBe(drawn.length);
    expect(chart?.querySelectorAll('.noms-followup circle').length).toBe(drawn.length);
    // Abstinence improves in the demo cohort.
    const day = rows.find((r) => r.group === 'day' && r.domain === 'Abstinent');
    expect(day?.followup_pct ?? 0).toBeGreaterThan(day?.intake_pct ?? 100);
  });

  it('keeps a withheld NOMs domain in place with its marker', () => {
    const noms = fixtures.noms();
    const g = noms.groups[0];
    if (!g || !('statistics' in g) || !g.statistics) throw new Error('fixture group without statistics');
    const d = (g.statistics as { domains: Record<string, Record<string, unknown>> }).domains;
    d.abstinent = { ...d.abstinent, n: null, intake_pct: null, followup_pct: null, percent_change: null, suppressed: ['n', 'intake_pct', 'followup_pct'] };
    const el = followupPage.view({ monthly: fixtures.followupMonthly(), labels: fixtures.followup(), noms }, { doc: document, state: DEFAULT_STATE, tracks: [], instruments: [] });
    const chart = el.querySelector('[data-testid="chart-noms"]');
    const markers = [...(chart?.querySelectorAll('.suppressed-marker text') ?? [])].map((t) => t.textContent ?? '');
    expect(markers.length).toBeGreaterThan(0);
    expect(markers.every((m) => m.startsWith('<11'))).toBe(true);
    expect(chart?.querySelector('.suppressed-band')).not.toBeNull();
  });
});
