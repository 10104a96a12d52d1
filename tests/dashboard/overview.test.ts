// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { overviewRows, overviewTable, type OverviewInput } from '../../dashboard/src/charts/overview-table';
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

describe('overview table', () => {
  it('has one row per track, named from /tracks', () => {
    const table = overviewTable(input());
    expect(table.dataset.testid).toBe('overview-table');
    expect([...table.querySelectorAll('tbody th')].map((th) => th.textContent)).toEqual(['Day IOP', 'Evening IOP', 'Weekend IOP']);
  });

  it('shows a suppressed group as "<11" in every cell, with a tooltip explaining why', () => {
    const cells = [...row(overviewTable(input()), 'weekend').querySelectorAll('td')];
    expect(cells).toHaveLength(5);
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
    const td = row(overviewTable(data), 'day').querySelectorAll('td')[2];
    expect(td?.textContent).toBe('–');
    expect(td?.title).toMatch(/followed to day 90/);
  });

  it('shows a suppressed null field as "<11" and the rest of the row as numbers', () => {
    const cells = [...row(overviewTable(input()), 'evening').querySelectorAll('td')].map((td) => td.textContent);
    // episodes, completion (completed suppressed), 90-day retention (suppressed), PHQ-9 (improved suppressed), abstinence
    expect(cells).toEqual(['64', '<11', '<11', '<11', '70.4% (67%–73%)']);
  });

  it('computes PHQ-9 reliable improvement as (recovered + improved) / paired', () => {
    const day = overviewRows(input()).find((r) => r.track === 'day');
    expect(day?.reliableImprovement).toMatchObject({ kind: 'value', value: (31 + 14) / 84 });
    expect(row(overviewTable(input()), 'day').querySelectorAll('td')[3]?.textContent).toBe('53.6% of 84');
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
    expect(row(overviewTable(i), 'day').querySelectorAll('td')[4]?.textContent).toBe('–');
  });
});
