import { outcomeChart, outcomePanels, type OutcomePanel, type OutcomesInput } from '../charts/overview-outcomes';
import { overviewCsvRows, overviewTable } from '../charts/overview-table';
import { overviewDefinition, sentences } from '../chart-definitions';
import { suppressedText } from '../format';
import { metricParams } from '../state';
import { chartCard } from '../ui/chart-card';
import { pageSection, type PageModule } from './page';

type OverviewData = Omit<OutcomesInput, 'tracks'>;

/** The definition sentences each small multiple states, from its metric's definition block. */
function panelDefinition(panel: OutcomePanel, d: OverviewData): string {
  switch (panel.name) {
    case 'overview-retention-30':
    case 'overview-retention-planned':
      return sentences(d.retention.definition.text, ['event', 'estimator', 'ci', 'retention_at_days', 'retention_at_planned']);
    case 'overview-completion':
      return sentences(d.completion.definition.text, ['completion_rate', 'ci']);
    case 'overview-improvement':
      return sentences(d.symptoms.definition.text, ['improvement', 'reliable_change']);
    case 'overview-abstinence':
      return sentences(d.relapse.definition.text, ['abstinence_rate', 'ci']);
    default:
      return sentences(d.attendance.definition.text, ['engagement', 'ci']);
  }
}

// The overview is always one row per track, whatever group_by the other pages use.
export const overviewPage: PageModule<OverviewData> = {
  title: 'Overview',
  async load(api, state) {
    const byTrack = { ...state, groupBy: 'track' as const, groupBy2: null, period: null };
    const [retention, completion, symptoms, relapse, attendance] = await Promise.all([
      api.metric('retention', metricParams(byTrack)),
      api.metric('completion', metricParams(byTrack)),
      api.metric('symptoms', metricParams(byTrack, { instrument: 'PHQ-9' })),
      api.metric('relapse', metricParams(byTrack)),
      api.metric('attendance', metricParams(byTrack)),
    ]);
    return { retention, completion, symptoms, relapse, attendance };
  },
  view(data, ctx) {
    const doc = ctx.doc;
    const input = { ...data, tracks: ctx.tracks };
    const grid = doc.createElement('div');
    grid.className = 'small-multiples';
    grid.dataset.testid = 'overview-outcomes';
    grid.append(...outcomePanels(input).map((panel) => chartCard(doc, {
      name: panel.name,
      title: panel.title,
      howTo: `One bar per track with its 95% CI; "${suppressedText(data.retention.min_cell)}" marks a value withheld for privacy, "n/a" one that cannot be estimated.`,
      definition: panelDefinition(panel, data),
      chart: outcomeChart(panel, data.retention.min_cell, { document: doc, ariaLabel: `${panel.title} by track` }),
      rows: panel.rows.map((r) => ({ ...r })),
    })));
    return pageSection(
      doc,
      'Overview',
      `Headline outcomes per track, as of ${data.retention.as_of}.`,
      grid,
      chartCard(doc, {
        name: 'overview',
        title: 'Outcomes by track',
        howTo: 'Each row is one track; higher is better in every column, and a range in brackets is the 95% confidence interval.',
        definition: overviewDefinition(data),
        chart: overviewTable(input, { document: doc }),
        rows: overviewCsvRows(input),
      }),
    );
  },
};
