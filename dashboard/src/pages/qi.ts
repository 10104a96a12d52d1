import { anhoejList, SPC_SERIES_LABELS, spcChart, spcRows } from '../charts/spc-chart';
import { spcParams } from '../state';
import type { SpcResponse } from '../types';
import { chartCard } from '../ui/chart-card';
import { pageSection, type PageModule } from './page';

/** The definition under the chart: the response's own sentences (`definition.text`, docs/metrics.md "SPC charts"). */
export function spcDefinition(data: SpcResponse): string {
  const text = (data.definition as { text?: Record<string, string> }).text ?? {};
  return ['series', 'chart', 'rules', 'maturity', 'phases', 'suppression', 'disclosure'].flatMap((k) => (text[k] === undefined ? [] : [text[k]])).join(' ');
}

/**
 * Quality improvement: one SPC chart of the series picked in the filter bar (docs/metrics.md "SPC charts"), by
 * admission (or, for outcomes known at discharge, discharge) month or quarter, with the Anhøj run rules of each phase spelled out under it.
 */
export const qiPage: PageModule<SpcResponse> = {
  title: 'QI',
  load: (api, state) => api.spc(state.spcSeries, spcParams(state)),
  view(data, ctx) {
    const doc = ctx.doc;
    const label = SPC_SERIES_LABELS[data.series];
    const basis = data.filters.period_basis ?? 'admission';
    const kind = data.chart === 'p' ? `p-chart${data.laney ? ' (Laney p′)' : ''}` : 'I-chart';
    const notes = data.notes.length > 0 ? doc.createElement('ul') : null;
    if (notes) {
      notes.className = 'spc-notes';
      for (const n of data.notes) {
        const li = doc.createElement('li');
        li.textContent = n;
        notes.append(li);
      }
    }
    const below = doc.createElement('div');
    below.append(anhoejList(data, doc), ...(notes ? [notes] : []));
    return pageSection(
      doc,
      'Quality improvement (SPC)',
      `${label} by ${basis} ${data.filters.period}, as of ${data.as_of}: is it changing for a reason, or only varying by chance?`,
      chartCard(doc, {
        name: 'spc',
        title: `${label} (${kind})`,
        howTo: `Each point is one ${basis} period. Dashed grey lines are the 3-sigma limits, the solid line the centre of each phase; a red point lies outside the limits, orange points belong to a phase with a run signal. ${basis === 'discharge' ? 'A grey band is the current period, not yet ended (partial).' : 'Grey bands are periods too young to judge.'}`,
        definition: spcDefinition(data),
        chart: spcChart(data, { document: doc, width: 900, ariaLabel: `${label} ${kind} by ${basis} ${data.filters.period}` }),
        rows: spcRows(data),
        below,
      }),
    );
  },
};
