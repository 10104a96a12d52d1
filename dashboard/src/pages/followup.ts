import { followupLabelRows, followupLabelTable, followupMonthRows, followupRateChart, followupTarget, nomsChart, nomsRows } from '../charts/followup';
import { metricParams } from '../state';
import type { MeasureResponse } from '../types';
import { chartCard } from '../ui/chart-card';
import { pageSection, type PageModule } from './page';

export interface FollowupData {
  /** followup-6m by month of intake. */
  monthly: MeasureResponse;
  /** followup-6m by the chosen grouping (the label breakdown). */
  labels: MeasureResponse;
  noms: MeasureResponse;
}

const sentences = (r: MeasureResponse, parts: readonly string[]): string =>
  parts.map((p) => r.definition.text[p]).filter((s): s is string => typeof s === 'string').join(' ');

/** The Follow-up page (docs/funder-reporting.md): GPRA six-month follow-up and NOMs. */
export const followupPage: PageModule<FollowupData> = {
  title: 'Follow-up',
  async load(api, state) {
    const [monthly, labels, noms] = await Promise.all([
      api.measure('followup-6m', metricParams(state, { group_by: 'period', period: 'month' })),
      api.measure('followup-6m', metricParams(state)),
      api.measure('noms', metricParams(state)),
    ]);
    return { monthly, labels, noms };
  },
  view(data, ctx) {
    const doc = ctx.doc;
    const target = followupTarget(data.monthly);
    return pageSection(
      doc,
      'Six-month follow-up and NOMs',
      `GPRA interviews at intake and six months later, as of ${data.monthly.as_of}.`,
      chartCard(doc, {
        name: 'followup-rate',
        title: 'Follow-up rate by month of intake',
        howTo: `Each dot is the share of a month's intakes re-interviewed 5–8 months later, with its 95% CI; the dashed line is the ${target === null ? '' : `${Math.round(target * 100)}% `}target. Hollow grey dots are immature months whose windows are still open.`,
        definition: sentences(data.monthly, ['population', 'window', 'target']),
        chart: followupRateChart(data.monthly, { document: doc }),
        rows: followupMonthRows(data.monthly),
      }),
      chartCard(doc, {
        name: 'followup-labels',
        title: 'What happened to each intake',
        howTo: 'Counts of intakes by label; the rate is completed over intakes that are neither excluded nor still open.',
        definition: sentences(data.labels, ['labels']),
        chart: followupLabelTable(data.labels, doc),
        rows: followupLabelRows(data.labels),
      }),
      chartCard(doc, {
        name: 'noms',
        title: 'NOMs: intake and six-month answers',
        howTo: 'Per domain, the hollow dot is the share positive at intake and the filled dot at follow-up, over the same clients; hover for n, the percent change and the McNemar p.',
        definition: sentences(data.noms, ['pairs', 'domains', 'change']),
        chart: nomsChart(data.noms, { document: doc }),
        rows: nomsRows(data.noms),
      }),
    );
  },
};
