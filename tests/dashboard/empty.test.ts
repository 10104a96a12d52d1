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
import { pChart } from '../../dashboard/src/charts/p-chart';
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
  ['p-chart', (g) => pChart(withGroups(fixtures.completionMonthly(), g))],
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

describe('empty and fully suppressed data', () => {
  for (const [name, draw] of cases) {
    it(`${name} renders an empty-state message for no groups`, () => {
      const el = draw([]);
      expect(el.classList.contains('empty-state')).toBe(true);
      expect(el.textContent).toMatch(/No /);
      expect(el.getAttribute('role')).toBe('status');
    });
  }

  for (const [name, draw] of cases.filter(([n]) => n !== 'overview')) {
    it(`${name} renders an empty-state message when every group is suppressed`, () => {
      expect(draw(allSuppressed).classList.contains('empty-state')).toBe(true);
    });
  }

  it('a chart whose groups have no weekly rows renders an empty state', () => {
    const data = fixtures.attendance();
    const bare = { ...data, groups: shownGroups(data.groups).map((g) => ({ ...g, by_week: [] })) };
    expect(attendanceByWeekChart(bare).classList.contains('empty-state')).toBe(true);
  });
});
