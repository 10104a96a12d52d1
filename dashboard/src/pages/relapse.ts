import { abstinenceByWeekChart, abstinenceWeekRows } from '../charts/abstinence-by-week';
import { kmChart, kmRows } from '../charts/km-curve';
import { relapseRateChart, relapseRateRows } from '../charts/relapse-rate';
import { riskTable } from '../charts/risk-table';
import { abstinenceByWeekDefinition, kmRelapseDefinition, relapseRateDefinition } from '../chart-definitions';
import { metricParams } from '../state';
import type { RelapseResponse } from '../types';
import { chartCard } from '../ui/chart-card';
import { pageSection, type PageModule } from './page';

export const relapsePage: PageModule<RelapseResponse> = {
  title: 'Relapse',
  load: (api, state) => api.metric('relapse', metricParams(state)),
  view(data, ctx) {
    const doc = ctx.doc;
    return pageSection(
      doc,
      'Relapse and abstinence',
      `Drug-test results during treatment, as of ${data.as_of}.`,
      chartCard(doc, {
        name: 'abstinence-by-week',
        title: 'Negative tests by week in program',
        howTo: 'Each line is the share of a group’s counted tests that were negative in each week since admission; higher is better.',
        definition: abstinenceByWeekDefinition(data),
        chart: abstinenceByWeekChart(data, { document: doc }),
        rows: abstinenceWeekRows(data),
      }),
      chartCard(doc, {
        name: 'relapse-rate',
        title: 'Relapse rate',
        howTo: 'Each bar is the share of episodes that relapsed after a first negative test; whiskers show the 95% CI, and shorter is better.',
        definition: relapseRateDefinition(data),
        chart: relapseRateChart(data, { document: doc }),
        rows: relapseRateRows(data),
      }),
      chartCard(doc, {
        name: 'km-relapse',
        title: 'Time to relapse (Kaplan–Meier)',
        howTo: 'Each line is the share of patients still abstinent by day since their first negative test; bands are 95% CIs and circles mark the median.',
        definition: kmRelapseDefinition(data),
        chart: kmChart(data, { document: doc, xLabel: 'Days since first negative test →', yLabel: '↑ Still abstinent (%)' }),
        rows: kmRows(data),
        below: riskTable(data, { document: doc }),
      }),
    );
  },
};
