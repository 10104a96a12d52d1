import { dischargeReasonsChart, reasonRows } from '../charts/discharge-reasons';
import { kmChart, kmRows } from '../charts/km-curve';
import { riskTable } from '../charts/risk-table';
import { dischargeReasonsDefinition, kmRetentionDefinition } from '../chart-definitions';
import { metricParams } from '../state';
import type { CompletionResponse, RetentionResponse } from '../types';
import { chartCard } from '../ui/chart-card';
import { pageSection, type PageModule } from './page';

interface RetentionData {
  retention: RetentionResponse;
  completion: CompletionResponse;
}

export const retentionPage: PageModule<RetentionData> = {
  title: 'Retention',
  async load(api, state) {
    const [retention, completion] = await Promise.all([api.metric('retention', metricParams(state)), api.metric('completion', metricParams(state))]);
    return { retention, completion };
  },
  view({ retention, completion }, ctx) {
    const doc = ctx.doc;
    return pageSection(
      doc,
      'Retention',
      `How long patients stay in treatment, as of ${retention.as_of}.`,
      chartCard(doc, {
        name: 'km-retention',
        title: 'Retention in treatment (Kaplan–Meier)',
        howTo: 'Each line is the share of patients still in treatment (not dropped out) by day since admission; shaded bands are 95% CIs and circles mark the median stay.',
        definition: kmRetentionDefinition(retention),
        chart: kmChart(retention, { document: doc }),
        rows: kmRows(retention),
        below: riskTable(retention, { document: doc }),
      }),
      chartCard(doc, {
        name: 'discharge-reasons',
        title: 'Discharge reasons',
        howTo: 'Each bar splits one group’s discharged episodes by the reason for discharge; completed is on the left.',
        definition: dischargeReasonsDefinition(completion),
        chart: dischargeReasonsChart(completion, { document: doc }),
        rows: reasonRows(completion),
      }),
    );
  },
};
