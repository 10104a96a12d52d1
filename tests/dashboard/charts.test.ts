// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { abstinenceByWeekChart } from '../../dashboard/src/charts/abstinence-by-week';
import { attendanceByWeekChart } from '../../dashboard/src/charts/attendance-by-week';
import { completenessList } from '../../dashboard/src/charts/completeness';
import { dischargeReasonsChart } from '../../dashboard/src/charts/discharge-reasons';
import { ietChart } from '../../dashboard/src/charts/iet';
import { jtClassesChart } from '../../dashboard/src/charts/jt-classes';
import { jtScatterChart } from '../../dashboard/src/charts/jt-scatter';
import { kmChart } from '../../dashboard/src/charts/km-curve';
import { overviewTable } from '../../dashboard/src/charts/overview-table';
import { relapseRateChart } from '../../dashboard/src/charts/relapse-rate';
import { riskTable } from '../../dashboard/src/charts/risk-table';
import { trajectoryChart } from '../../dashboard/src/charts/trajectory';
import { fixtures, normalize } from './helpers';

const phq9 = () => {
  const i = fixtures.instruments().find((x) => x.code === 'PHQ-9');
  if (!i) throw new Error('fixture instruments.json lacks PHQ-9');
  return i;
};

// Each chart is a pure function of an API response, so the same fixture must draw the same
// markup; the snapshots are reviewed by eye when a chart changes on purpose.
const charts: [string, () => Element][] = [
  ['km-retention', () => kmChart(fixtures.retention())],
  ['risk-table', () => riskTable(fixtures.retention())],
  ['discharge-reasons', () => dischargeReasonsChart(fixtures.completion())],
  ['trajectory', () => trajectoryChart(fixtures.symptoms(), { instrument: phq9() })],
  ['jt-classes', () => jtClassesChart(fixtures.symptoms())],
  ['jt-scatter', () => jtScatterChart(fixtures.symptoms(), { instrument: phq9() })],
  ['completeness', () => completenessList(fixtures.symptoms())],
  ['abstinence-by-week', () => abstinenceByWeekChart(fixtures.relapse())],
  ['relapse-rate', () => relapseRateChart(fixtures.relapse())],
  ['km-relapse', () => kmChart(fixtures.relapse(), { xLabel: 'Days since first negative test →', yLabel: '↑ Still abstinent (%)' })],
  ['attendance-by-week', () => attendanceByWeekChart(fixtures.attendance())],
  ['iet', () => ietChart(fixtures.attendance())],
  [
    'overview',
    () =>
      overviewTable({
        retention: fixtures.retention(),
        completion: fixtures.completion(),
        symptoms: fixtures.symptoms(),
        relapse: fixtures.relapse(),
        tracks: fixtures.tracks(),
      }),
  ],
];

describe('chart snapshots (jsdom, TZ=UTC)', () => {
  it('runs with the time zone pinned', () => {
    expect(process.env.TZ).toBe('UTC');
  });

  for (const [name, draw] of charts) {
    it(`draws ${name} the same way from the fixture`, async () => {
      const el = draw();
      expect(el.querySelector('.empty-state') ?? (el.classList.contains('empty-state') ? el : null)).toBeNull();
      await expect(normalize(el)).toMatchFileSnapshot(`./__snapshots__/${name}.html`);
    });

    it(`draws ${name} identically twice (pure)`, () => {
      expect(normalize(draw())).toBe(normalize(draw()));
    });
  }
});
