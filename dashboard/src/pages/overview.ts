import { overviewCsvRows, overviewTable, type OverviewInput } from '../charts/overview-table';
import { overviewDefinition } from '../chart-definitions';
import { metricParams } from '../state';
import { chartCard } from '../ui/chart-card';
import { pageSection, type PageModule } from './page';

type OverviewData = Omit<OverviewInput, 'tracks'>;

// The overview is always one row per track, whatever group_by the other pages use.
export const overviewPage: PageModule<OverviewData> = {
  title: 'Overview',
  async load(api, state) {
    const byTrack = { ...state, groupBy: 'track' as const, period: null };
    const [retention, completion, symptoms, relapse] = await Promise.all([
      api.metric('retention', metricParams(byTrack)),
      api.metric('completion', metricParams(byTrack)),
      api.metric('symptoms', metricParams(byTrack, { instrument: 'PHQ-9' })),
      api.metric('relapse', metricParams(byTrack)),
    ]);
    return { retention, completion, symptoms, relapse };
  },
  view(data, ctx) {
    const input = { ...data, tracks: ctx.tracks };
    return pageSection(
      ctx.doc,
      'Overview',
      `Headline outcomes per track, as of ${data.retention.as_of}.`,
      chartCard(ctx.doc, {
        name: 'overview',
        title: 'Outcomes by track',
        howTo: 'Each row is one track; higher is better in every column, and a range in brackets is the 95% confidence interval.',
        definition: overviewDefinition(data),
        chart: overviewTable(input, { document: ctx.doc }),
        rows: overviewCsvRows(input),
      }),
    );
  },
};
