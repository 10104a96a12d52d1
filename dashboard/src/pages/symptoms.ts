import { completenessList } from '../charts/completeness';
import { classRows, jtClassesChart } from '../charts/jt-classes';
import { jtScatterChart, jtScatterRows, usesBins } from '../charts/jt-scatter';
import { trajectoryChart, trajectoryRows } from '../charts/trajectory';
import { jtClassesDefinition, jtScatterDefinition, trajectoryDefinition } from '../chart-definitions';
import { metricParams } from '../state';
import type { SymptomsResponse } from '../types';
import { chartCard } from '../ui/chart-card';
import { pageSection, type PageModule } from './page';

export const symptomsPage: PageModule<SymptomsResponse> = {
  title: 'Symptoms',
  load: (api, state) => api.metric('symptoms', metricParams(state, { instrument: state.instrument })),
  view(data, ctx) {
    const doc = ctx.doc;
    const instrument = ctx.instruments.find((i) => i.code === ctx.state.instrument);
    const code = instrument?.code ?? ctx.state.instrument;
    const better = instrument?.higher_is_better ? 'higher' : 'lower';
    const opts = instrument ? { document: doc, instrument } : { document: doc };
    const aside = () => completenessList(data, doc);
    return pageSection(
      doc,
      `Symptoms: ${instrument?.name ?? code}`,
      `Change in ${code} scores between baseline and follow-up; ${better} scores are better.`,
      chartCard(doc, {
        name: 'trajectory',
        title: `Mean ${code} score by week in program`,
        howTo: `Each line is a group’s mean ${code} score in each week since admission, with its 95% CI as a band.`,
        definition: trajectoryDefinition(data),
        chart: trajectoryChart(data, opts),
        rows: trajectoryRows(data),
        aside: aside(),
      }),
      chartCard(doc, {
        name: 'jt-classes',
        title: `Reliable change on the ${code} (Jacobson–Truax)`,
        howTo: 'Each bar splits one group’s paired episodes into recovered, improved, unchanged and deteriorated; more green is better.',
        definition: jtClassesDefinition(data),
        chart: jtClassesChart(data, opts),
        rows: classRows(data),
        aside: aside(),
      }),
      chartCard(doc, {
        name: 'jt-scatter',
        title: usesBins(data) ? `Baseline vs follow-up ${code} severity band` : `Baseline vs follow-up ${code} score`,
        howTo: usesBins(data)
          ? `Exact score pairs would reveal small cells, so episodes are counted by severity band: cells ${better === 'lower' ? 'below' : 'above'} the dashed diagonal moved to a better band.`
          : `Points ${better === 'lower' ? 'below' : 'above'} the grey band improved reliably; points past the cutoff line on the follow-up axis ended in the healthy range.`,
        definition: jtScatterDefinition(data),
        chart: jtScatterChart(data, opts),
        rows: jtScatterRows(data),
        aside: aside(),
      }),
    );
  },
};
