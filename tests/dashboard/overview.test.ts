// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { overviewCsvRows, overviewRows, overviewTable, type OverviewInput } from '../../dashboard/src/charts/overview-table';
import { shownGroups } from '../../dashboard/src/format';
import { fixtures } from './helpers';

const input = (): OverviewInput => ({
  retention: fixtures.retention(),
  completion: fixtures.completion(),
  symptoms: fixtures.symptoms(),
  relapse: fixtures.relapse(),
  tracks: fixtures.tracks(),
});

function row(table: HTMLElement, track: string): HTMLTableRowElement {
  const tr = table.querySelector<HTMLTableRowElement>(`tr[data-track="${track}"]`);
  if (!tr) throw new Error(`no row for ${track}`);
  return tr;
}

/** The cell of a track's row under the column whose header starts with `header`. */
function cell(table: HTMLElement, track: string, header: string): HTMLTableCellElement | undefined {
  const headers = [...table.querySelectorAll('thead th')].map((th) => th.textContent ?? '');
  const i = headers.findIndex((h) => h.startsWith(header));
  if (i < 1) throw new Error(`no column ${header} in ${headers.join(' | ')}`);
  return row(table, track).querySelectorAll('td')[i - 1];
}

function headers(table: HTMLElement): string[] {
  return [...table.querySelectorAll('thead th')].map((th) => th.textContent ?? '');
}

describe('overview table', () => {
  it('has one row per track, named from /tracks', () => {
    const table = overviewTable(input());
    expect(table.dataset.testid).toBe('overview-table');
    expect([...table.querySelectorAll('tbody th')].map((th) => th.textContent)).toEqual(['Day IOP', 'Evening IOP', 'Weekend IOP']);
  });

  it('shows a suppressed group as "<11" in every cell, with a tooltip explaining why', () => {
    const cells = [...row(overviewTable(input()), 'weekend').querySelectorAll('td')];
    expect(cells).toHaveLength(headers(overviewTable(input())).length - 1);
    for (const td of cells) {
      expect(td.textContent).toBe('<11');
      expect(td.querySelector('abbr')?.title).toMatch(/small-cell/);
    }
  });

  it('explains a 90-day retention that is not estimable because no one was followed that long', () => {
    const data = input();
    const day = data.retention.groups.find((g) => g.key.track === 'day');
    if (!day || !('retention_at' in day) || !day.retention_at) throw new Error('fixture has no day retention');
    day.retention_at['90'] = null as unknown as (typeof day.retention_at)['90'];
    const td = cell(overviewTable(data), 'day', '90-day');
    expect(td?.textContent).toBe('–');
    expect(td?.title).toMatch(/followed to day 90/);
  });

  it('shows a suppressed null field as "<11" and the rest of the row as numbers', () => {
    const cells = [...row(overviewTable(input()), 'evening').querySelectorAll('td')].map((td) => td.textContent);
    // episodes, completion (completed suppressed), retention at 30 days / planned / 90 days (retention_at suppressed), PHQ-9 (improved suppressed), abstinence
    expect(cells).toEqual(['64', '<11', '<11', '<11', '<11', '<11', '70.4% (67%–73%)']);
  });

  it('computes PHQ-9 reliable improvement as (recovered + improved) / paired', () => {
    const day = overviewRows(input()).find((r) => r.track === 'day');
    expect(day?.reliableImprovement).toMatchObject({ kind: 'value', value: (31 + 14) / 84 });
    expect(cell(overviewTable(input()), 'day', 'PHQ-9')?.textContent).toBe('53.6% of 84');
  });

  it('writes the configured min cell, not a hard-coded 11', () => {
    const i = input();
    i.retention.min_cell = 5;
    expect(row(overviewTable(i), 'weekend').querySelector('td')?.textContent).toBe('<5');
  });

  it('shows a null that is not suppressed as a dash, not as "<11"', () => {
    const i = input();
    const day = shownGroups(i.relapse.groups).find((g) => g.key.track === 'day');
    if (!day) throw new Error('fixture has no day relapse group');
    day.abstinence_rate = null;
    expect(cell(overviewTable(i), 'day', 'Abstinence')?.textContent).toBe('–');
  });

  it('offers no 90-day column when no curve reaches day 90 (the API then sends no "90" key)', () => {
    const i = input();
    for (const g of i.retention.groups) if ('retention_at' in g) delete g.retention_at['90'];
    const h = headers(overviewTable(i));
    expect(h.some((x) => x.startsWith('90-day'))).toBe(false);
    expect(h).toContain('30-day retention (95% CI)');
    expect(overviewCsvRows(i)[0]).not.toHaveProperty('retention_90');
  });

  it('offers the 90-day column when one curve reaches day 90', () => {
    expect(headers(overviewTable(input()))).toContain('90-day retention (95% CI)');
  });

  it('shows retention at each track\'s planned length with its day, and explains a track with no planned length', () => {
    const i = input();
    expect(cell(overviewTable(i), 'day', 'Retention at planned')?.textContent).toBe('67.7% (60%–77%) at day 70');
    const day = i.retention.groups.find((g) => g.key.track === 'day');
    if (!day || !('retention_at' in day)) throw new Error('fixture has no day retention');
    day.retention_at.planned = null;
    const td = cell(overviewTable(i), 'day', 'Retention at planned');
    expect(td?.textContent).toBe('–');
    expect(td?.title).toMatch(/no planned length/i);
  });

  it('never offers a column whose every cell is a dash', () => {
    const i = input();
    for (const g of i.retention.groups) if ('retention_at' in g) g.retention_at.planned = null;
    // weekend is suppressed whole ("<11"), so a column stays offered only where some cell has a value or a marker.
    const table = overviewTable(i);
    const n = headers(table).length - 1;
    for (let c = 0; c < n; c++) {
      const texts = [...table.querySelectorAll('tbody tr')].map((tr) => tr.querySelectorAll('td')[c]?.textContent);
      expect(texts.some((t) => t !== '–')).toBe(true);
    }
  });
});
