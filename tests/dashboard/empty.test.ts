// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { abstinenceByWeekChart } from '../../dashboard/src/charts/abstinence-by-week';
import { attendanceByWeekChart } from '../../dashboard/src/charts/attendance-by-week';
import { dischargeReasonsChart } from '../../dashboard/src/charts/discharge-reasons';
import { ietChart } from '../../dashboard/src/charts/iet';
import { jtClassesChart } from '../../dashboard/src/charts/jt-classes';
import { jtScatterChart } from '../../dashboard/src/charts/jt-scatter';
import { kmChart } from '../../dashboard/src/charts/km-curve';
import { overviewTable } from '../../dashboard/src/charts/overview-table';
import { relapseRateChart } from '../../dashboard/src/charts/relapse-rate';
import { riskTable } from '../../dashboard/src/charts/risk-table';
import { trajectoryChart } from '../../dashboard/src/charts/trajectory';
import { shownGroups } from '../../dashboard/src/format';
import type { GroupBase } from '../../dashboard/src/types';
import { fixtures } from './helpers';

function withGroups<T extends { groups: GroupBase[] }>(data: T, groups: GroupBase[]): T {
  return { ...data, groups };
}

const allSuppressed: GroupBase[] = [{ key: { track: 'weekend' }, suppressed: ['all'] }];

const cases: [string, (groups: GroupBase[]) => Element][] = [
  ['km-retention', (g) => kmChart(withGroups(fixtures.retention(), g))],
  ['risk-table', (g) => riskTable(withGroups(fixtures.retention(), g))],
  ['discharge-reasons', (g) => dischargeReasonsChart(withGroups(fixtures.completion(), g))],
  ['trajectory', (g) => trajectoryChart(withGroups(fixtures.symptoms(), g))],
  ['jt-classes', (g) => jtClassesChart(withGroups(fixtures.symptoms(), g))],
  ['jt-scatter', (g) => jtScatterChart(withGroups(fixtures.symptoms(), g))],
  ['abstinence-by-week', (g) => abstinenceByWeekChart(withGroups(fixtures.relapse(), g))],
  ['relapse-rate', (g) => relapseRateChart(withGroups(fixtures.relapse(), g))],
  ['km-relapse', (g) => kmChart(withGroups(fixtures.relapse(), g))],
  ['attendance-by-week', (g) => attendanceByWeekChart(withGroups(fixtures.attendance(), g))],
  ['iet', (g) => ietChart(withGroups(fixtures.attendance(), g))],
  [
    'overview',
    (g) =>
      overviewTable({
        retention: withGroups(fixtures.retention(), g),
        completion: withGroups(fixtures.completion(), []),
        symptoms: withGroups(fixtures.symptoms(), []),
        relapse: withGroups(fixtures.relapse(), []),
      }),
  ],
];

const fixtureGroups: Record<string, GroupBase[]> = {
  'km-retention': fixtures.retention().groups,
  'km-relapse': fixtures.relapse().groups,
  'trajectory': fixtures.symptoms().groups,
  'abstinence-by-week': fixtures.relapse().groups,
  'attendance-by-week': fixtures.attendance().groups,
};

describe('empty and fully suppressed data', () => {
  for (const [name, draw] of cases) {
    it(`${name} renders an empty-state message for no groups`, () => {
      const el = draw([]);
      expect(el.classList.contains('empty-state')).toBe(true);
      expect(el.textContent).toMatch(/No /);
      expect(el.getAttribute('role')).toBe('status');
    });
  }

  // Suppression is always visible (docs/metrics.md "Small-cell suppression"): the bar charts keep a suppressed group's
  // row with its "<11" marker; the line and curve charts name it under the chart, "<11" with the rule as a tooltip.
  const barsInPlace = new Set(['overview', 'iet', 'relapse-rate', 'discharge-reasons', 'jt-classes']);
  const namedUnder = new Set(['km-retention', 'km-relapse', 'trajectory', 'abstinence-by-week', 'attendance-by-week']);
  for (const [name, draw] of cases.filter(([n]) => !barsInPlace.has(n) && !namedUnder.has(n))) {
    it(`${name} renders an empty-state message when every group is suppressed`, () => {
      expect(draw(allSuppressed).classList.contains('empty-state')).toBe(true);
    });
  }

  for (const [name, draw] of cases.filter(([n]) => barsInPlace.has(n) && n !== 'overview')) {
    it(`${name} marks every group suppressed in place when every group is suppressed`, () => {
      const el = draw(allSuppressed);
      expect(el.classList.contains('empty-state')).toBe(false);
      const markers = [...el.querySelectorAll('.suppressed-marker text')];
      expect(markers.map((t) => t.firstChild?.textContent)).toContain('<11');
      expect(markers[0]?.querySelector('title')?.textContent).toMatch(/^weekend(, [A-Za-z]+)?: Suppressed/);
    });
  }

  for (const [name, draw] of cases.filter(([n]) => namedUnder.has(n))) {
    it(`${name} names a group suppressed whole under the chart, "<11" with the rule as its tooltip`, () => {
      const el = draw(allSuppressed);
      expect(el.querySelector('.empty-state')).not.toBeNull();
      const note = el.querySelector('.suppressed-note');
      expect(note?.textContent).toBe('Not drawn, withheld under the small-cell rule (<11): weekend.');
      expect(note?.querySelector('abbr.suppressed')?.getAttribute('title')).toMatch(/^Suppressed: this cell rests on a count between 1 and 10/);
      // beside drawn groups too
      const mixed = draw([...(fixtureGroups[name] ?? []), ...allSuppressed]);
      expect(mixed.querySelector('.empty-state')).toBeNull();
      expect(mixed.querySelector('.suppressed-note')?.textContent).toContain('weekend');
    });
  }

  it('a chart whose groups have no weekly rows renders an empty state', () => {
    const data = fixtures.attendance();
    const bare = { ...data, groups: shownGroups(data.groups).map((g) => ({ ...g, by_week: [] })) };
    expect(attendanceByWeekChart(bare).classList.contains('empty-state')).toBe(true);
  });
});
